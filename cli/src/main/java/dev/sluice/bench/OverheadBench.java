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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The {@code overhead} benchmark: prompts per second through the whole pipeline, with an emulated server that
 * answers at once, against two bare Kafka-to-Kafka Flink jobs with the pipeline's source, decoding, Avro
 * serialisation and exactly-once sinks, on one embedded broker. The first bare job writes a completion per prompt;
 * the second also a metric, the two outputs the pipeline must write, so it bounds what the pipeline can reach.
 *
 * <p>It measures steady state. Each job runs twice, a warm-up round and then the measured one, so that the JIT has
 * compiled every job's code before it is timed (on two cores the compiler otherwise takes a third of the CPU for the
 * first minute). Every prompt is published before a job starts; its rate is taken over the last
 * {@link #MEASURED_SHARE} of its completions, as its producers write them, which leaves out the job's start. Each
 * job must then commit every completion exactly once, checked per request id.
 */
final class OverheadBench {

    /**
     * Enough that the bare job, the fastest (over a hundred thousand a second here once warm), runs for a couple of
     * seconds, and its measured share spans many polls of the reader that times it.
     */
    static final int DEFAULT_PROMPTS = 300_000;
    /** The share of completions a rate is measured over: the rest come while the job starts. */
    static final double MEASURED_SHARE = 0.8;

    private final int prompts;
    private final PrintStream out;

    OverheadBench(int prompts, PrintStream out) {
        this.prompts = prompts;
        this.out = out;
    }

    ObjectNode run() throws Exception {
        Map<String, Double> rates = new LinkedHashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Catalog declared = InstantStack.catalog();
            try (EmulatedDeployment emulator = InstantStack.emulate(declared)) {
                Catalog catalog = declared.withEndpoints(emulator.endpoints());
                Map<String, Wiring> jobs = new LinkedHashMap<>();
                jobs.put("bare", BareKafkaJob::attach);
                jobs.put("bare_with_metrics", BareKafkaJob::attachWithMetrics);
                jobs.put("pipeline", (env, config) -> {
                    InferencePipeline job = new InferencePipeline(config, catalog);
                    job.configure(env);
                    job.attach(job.source(env));
                });
                for (Map.Entry<String, Wiring> job : jobs.entrySet()) {
                    out.printf("warming up: %s%n", job.getKey());
                    promptsPerSecond(kafka, "warm-" + job.getKey(), job.getValue(), Math.max(prompts / 2, 1));
                }
                for (Map.Entry<String, Wiring> job : jobs.entrySet()) {
                    rates.put(job.getKey(), promptsPerSecond(kafka, job.getKey(), job.getValue(), prompts));
                }
            }
        }
        double bare = rates.get("bare");
        double floor = rates.get("bare_with_metrics");
        double pipeline = rates.get("pipeline");
        out.printf("%-40s %12s%n", "job (steady state)", "prompts/s");
        out.printf(Locale.ROOT, "%-40s %12.0f%n", "bare Kafka->Kafka", bare);
        out.printf(Locale.ROOT, "%-40s %12.0f%n", "bare, with a metric per prompt", floor);
        out.printf(Locale.ROOT, "%-40s %12.0f%n", "Sluice pipeline", pipeline);
        out.printf(Locale.ROOT, "ratio: pipeline/bare %.2f (target >= 0.8); bare with metrics/bare %.2f, the most "
                + "any job writing both outputs reaches; pipeline/bare with metrics %.2f%n", pipeline / bare,
                floor / bare, pipeline / floor);
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "overhead").put("prompts", prompts).put("warm_up_prompts", Math.max(prompts / 2, 1))
                .put("bare_prompts_per_second", bare).put("bare_with_metrics_prompts_per_second", floor)
                .put("pipeline_prompts_per_second", pipeline).put("ratio", pipeline / bare)
                .put("bare_with_metrics_ratio", floor / bare).put("ratio_to_bare_with_metrics", pipeline / floor);
        return json;
    }

    private interface Wiring {
        void attach(StreamExecutionEnvironment env, SluiceConfig config) throws Exception;
    }

    private double promptsPerSecond(EmbeddedKafka kafka, String prefix, Wiring wiring, int count) throws Exception {
        SluiceConfig config = InstantStack.config(kafka, prefix, Duration.ofSeconds(1));
        PromptPublisher.publish(config.kafka(), InstantStack.prompts("o", 0, count));
        StreamExecutionEnvironment env = InstantStack.environment();
        wiring.attach(env, config);
        JobClient job = env.executeAsync(prefix);
        try {
            List<Long> writtenAt = writtenAtNanos(config, count);
            try (OutputCollector output = new OutputCollector(config.kafka())) {
                boolean done = output.collectUntil(() -> output.completions().size() >= count, Duration.ofMinutes(2));
                long distinct = output.completions().stream().map(completion -> completion.getRequestId())
                        .distinct().count();
                if (!done || distinct != count || output.completions().size() != count) {
                    throw new IllegalStateException(prefix + ": " + output.completions().size()
                            + " committed completions for " + distinct + " distinct requests of " + count);
                }
            }
            return steadyRate(writtenAt);
        } finally {
            try {
                job.cancel().get();
            } catch (ExecutionException e) {
                // It ended already, failed: what it left unwritten is the run's error, not this.
            }
        }
    }

    /**
     * When each of the first {@code count} completions was seen, read as the job's producers write them
     * ({@code read_uncommitted}), so that the times follow the work and not the checkpoints that commit it. The
     * reader starts while the job is still starting, and reads far faster than any job here writes, so it is not
     * behind: a record's time is when it was written, to within a poll. (A record's own timestamp would not do: the
     * sink stamps a completion with its prompt's.)
     */
    private static List<Long> writtenAtNanos(SluiceConfig config, int count) {
        Properties properties = config.kafka().clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<Long> seenAt = new ArrayList<>(count);
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(config.kafka().topics().completions()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (seenAt.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + seenAt.size() + " of " + count
                            + " completions written within 10 minutes");
                }
                int read = consumer.poll(Duration.ofMillis(100)).count();
                long now = System.nanoTime();
                for (int i = 0; i < read; i++) {
                    seenAt.add(now);
                }
            }
        }
        return seenAt;
    }

    /**
     * Completions per second once the job is under way: over its last {@link #MEASURED_SHARE} of completions, from
     * the time the one before them was seen to the time the last was.
     */
    static double steadyRate(List<Long> seenAtNanos) {
        int first = seenAtNanos.size() - (int) (seenAtNanos.size() * MEASURED_SHARE);
        double seconds = (seenAtNanos.get(seenAtNanos.size() - 1) - seenAtNanos.get(first - 1)) / 1e9;
        if (seconds <= 0) {
            throw new IllegalStateException("the last " + (seenAtNanos.size() - first)
                    + " completions were written at once: too few prompts to measure a rate, give more");
        }
        return (seenAtNanos.size() - first) / seconds;
    }
}
