package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.job.BareKafkaJob;
import dev.sluice.job.InferencePipeline;
import dev.sluice.routing.Catalog;
import dev.sluice.serde.JsonAvro;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The {@code overhead} benchmark: prompts per second through the whole pipeline, with an emulated server that
 * answers at once, against a bare Kafka-to-Kafka Flink job with the same source, decoding, serialisation and
 * exactly-once sink, on the same broker, one after the other. Both start with every prompt already published and
 * end when the last completion is committed.
 */
final class OverheadBench {

    private final int prompts;
    private final PrintStream out;

    OverheadBench(int prompts, PrintStream out) {
        this.prompts = prompts;
        this.out = out;
    }

    ObjectNode run() throws Exception {
        double bare;
        double pipeline;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            bare = promptsPerSecond(kafka, "bare", (env, config) -> BareKafkaJob.attach(env, config));
            Catalog declared = InstantStack.catalog();
            try (EmulatedDeployment emulator = InstantStack.emulate(declared)) {
                Catalog catalog = declared.withEndpoints(emulator.endpoints());
                pipeline = promptsPerSecond(kafka, "full", (env, config) -> {
                    InferencePipeline job = new InferencePipeline(config, catalog);
                    job.configure(env);
                    job.attach(job.source(env));
                });
            }
        }
        out.printf("%-26s %12s%n", "job", "prompts/s");
        out.printf(Locale.ROOT, "%-26s %12.0f%n", "bare Kafka->Kafka", bare);
        out.printf(Locale.ROOT, "%-26s %12.0f%n", "Sluice pipeline", pipeline);
        out.printf(Locale.ROOT, "ratio: pipeline/bare %.2f (target >= 0.8)%n", pipeline / bare);
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "overhead").put("prompts", prompts).put("bare_prompts_per_second", bare)
                .put("pipeline_prompts_per_second", pipeline).put("ratio", pipeline / bare);
        return json;
    }

    private interface Wiring {
        void attach(StreamExecutionEnvironment env, SluiceConfig config) throws Exception;
    }

    private double promptsPerSecond(EmbeddedKafka kafka, String prefix, Wiring wiring) throws Exception {
        SluiceConfig config = InstantStack.config(kafka, prefix, Duration.ofSeconds(1));
        PromptPublisher.publish(config.kafka(), InstantStack.prompts("o", 0, prompts));
        StreamExecutionEnvironment env = InstantStack.environment();
        wiring.attach(env, config);
        try (OutputCollector output = new OutputCollector(config.kafka())) {
            long started = System.nanoTime();
            JobClient job = env.executeAsync(prefix);
            boolean done = output.collectUntil(() -> output.completions().size() >= prompts, Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - started) / 1e9;
            job.cancel().get();
            if (!done) {
                throw new IllegalStateException(prefix + ": only " + output.completions().size() + " of " + prompts
                        + " completions within 10 minutes");
            }
            return prompts / seconds;
        }
    }
}
