package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.GatewaySettings;
import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.job.BareKafkaJob;
import dev.sluice.job.InferencePipeline;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.JsonAvro;
import dev.sluice.serde.RecordCodec;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The {@code overhead} benchmark: prompts per second through the whole pipeline, with an emulated server that
 * answers at once, against a bare Kafka-to-Kafka Flink job with the same source, decoding, serialisation and
 * exactly-once sink, on the same broker, one after the other. Both start with every prompt already published and
 * end when the last completion is committed.
 */
final class OverheadBench {

    private static final String CATALOG = """
            models:
              - {id: instant, family: Bench, vendor: Bench, origin: US, params-b: 1, context: 32768,
                 license: apache-2.0, commercial: yes, japanese: good, capabilities: [chat],
                 deployment: {backend: triton, endpoint: unset, served-name: instant, max-batch-size: 64}}
            policies:
              bench: {commercial: true, monthly-active-users: 1}
            """;

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
            Catalog declared = Catalog.parse(CATALOG, "overhead catalog");
            try (EmulatedDeployment emulator = EmulatedDeployment.start(
                    declared.deployed().stream().map(CatalogModel::deployment).toList(), CostModel.instant(), 1)) {
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
        out.printf(Locale.ROOT, "ratio: pipeline/bare %.2f (target >= 0.5)%n", pipeline / bare);
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "overhead").put("prompts", prompts).put("bare_prompts_per_second", bare)
                .put("pipeline_prompts_per_second", pipeline).put("ratio", pipeline / bare);
        return json;
    }

    private interface Wiring {
        void attach(StreamExecutionEnvironment env, SluiceConfig config) throws Exception;
    }

    private double promptsPerSecond(EmbeddedKafka kafka, String prefix, Wiring wiring) throws Exception {
        SluiceConfig config = new SluiceConfig(
                new KafkaSettings(kafka.bootstrapServers(), prefix, "avro", Duration.ofMinutes(5), Map.of()),
                new JobSettings(2, Duration.ofSeconds(1), 256, Duration.ofSeconds(60)),
                LimitSettings.ofDefaults(), GatewaySettings.ofDefaults(), null);
        kafka.createPipelineTopics(config.kafka().topics(), 2);
        PromptPublisher.publish(kafka.bootstrapServers(), config.kafka().topics().prompts(), records());
        Configuration flink = new Configuration();
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        wiring.attach(env, config);
        try (OutputCollector output = new OutputCollector(kafka.bootstrapServers(), config.kafka().topics())) {
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

    private List<SampleRecord> records() {
        RecordCodec<PromptRequest> codec = new RecordCodec<>(PromptRequest.getClassSchema());
        List<SampleRecord> records = new ArrayList<>(prompts);
        for (int i = 0; i < prompts; i++) {
            PromptRequest request = PromptRequest.newBuilder().setRequestId("o" + i).setTenant("bench")
                    .setTask(Task.CHAT).setPrompt("hello " + i)
                    .setParams(GenerationParams.newBuilder().setMaxTokens(4).build()).build();
            records.add(new SampleRecord(request.getRequestId(), codec.encode(request, false)));
        }
        return records;
    }
}
