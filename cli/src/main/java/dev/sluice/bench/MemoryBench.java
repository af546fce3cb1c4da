package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.chaos.HeapWatch;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.job.InferencePipeline;
import dev.sluice.routing.Catalog;
import dev.sluice.serde.JsonAvro;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The {@code memory} benchmark: many prompts through the whole pipeline (embedded broker, instant emulated server,
 * the job) in this JVM, published in chunks while the job runs, with the heap sampled after a garbage collection
 * every few seconds. Once duplicate detection's state has filled (twice its window after the first completion),
 * the slope of the heap against prompts completed should be flat: the job's in-flight limits bound its memory,
 * whatever the run's length.
 */
final class MemoryBench {

    private static final int CHUNK = 10_000;
    /**
     * Duplicate detection remembers every id for its window, a bound of its own (rate x window): a short window keeps
     * it to 30 s of traffic, so the heap shows what the run's length adds.
     */
    static final Duration DEDUPE_WINDOW = Duration.ofSeconds(30);
    /**
     * How long after the first completion the heap is still filling: duplicate detection's state grows for a window,
     * and its expired ids are dropped as the state is touched, not at once, so for up to another.
     */
    static final Duration WARM_UP = DEDUPE_WINDOW.multipliedBy(2);
    /**
     * How often the heap is read. The heap after a collection still moves by some megabytes from one reading to the
     * next (buffers of the broker, the job and the clients in this JVM), so the slope needs many readings.
     */
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);
    private final int prompts;
    private final PrintStream out;

    MemoryBench(int prompts, PrintStream out) {
        this.prompts = prompts;
        this.out = out;
    }

    /**
     * The heap after a collection, when {@code completed} prompts were done, {@code seconds} after the first was
     * (0 before it).
     */
    record Sample(long completed, double seconds, double heapMb) {}

    ObjectNode run() throws Exception {
        List<Sample> samples = new ArrayList<>();
        long started = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Catalog declared = InstantStack.catalog();
            try (EmulatedDeployment emulator = InstantStack.emulate(declared)) {
                SluiceConfig base = InstantStack.config(kafka, "memory", Duration.ofSeconds(2));
                SluiceConfig config = new SluiceConfig(base.kafka(), base.job(),
                        new LimitSettings(0, 0, 0, 0, 0, DEDUPE_WINDOW), base.gateway(), null);
                StreamExecutionEnvironment env = InstantStack.environment();
                InferencePipeline pipeline = new InferencePipeline(config, declared.withEndpoints(emulator.endpoints()));
                pipeline.configure(env);
                pipeline.attach(pipeline.source(env));
                JobClient job = env.executeAsync("memory");
                try (KafkaConsumer<byte[], byte[]> completions = counter(kafka.bootstrapServers())) {
                    completions.subscribe(List.of(config.kafka().topics().completions()));
                    int published = 0;
                    long completed = 0;
                    long nextSample = System.nanoTime();
                    long firstCompleted = 0;
                    while (completed < prompts) {
                        // Keep at most two chunks ahead of the job: the broker's log, not this JVM, holds the rest.
                        if (published < prompts && published - completed < 2L * CHUNK) {
                            int size = Math.min(CHUNK, prompts - published);
                            PromptPublisher.publish(config.kafka(),
                                    InstantStack.prompts("m", published, size));
                            published += size;
                        }
                        completed += completions.poll(Duration.ofMillis(500)).count();
                        if (completed > 0 && firstCompleted == 0) {
                            firstCompleted = System.nanoTime();
                        }
                        if (System.nanoTime() >= nextSample) {
                            double since = firstCompleted == 0 ? 0 : (System.nanoTime() - firstCompleted) / 1e9;
                            samples.add(new Sample(completed, since, HeapWatch.heapAfterGcMb()));
                            nextSample = System.nanoTime() + SAMPLE_EVERY.toNanos();
                        }
                    }
                }
                job.cancel().get();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        List<Sample> steady = steady(samples);
        double slope = slopeMbPer100k(steady);
        double stderr = slopeStandardErrorMbPer100k(steady);
        out.printf("%-14s %12s%n", "completed", "heap MB");
        for (Sample sample : samples) {
            out.printf(Locale.ROOT, "%-14d %12.1f%n", sample.completed(), sample.heapMb());
        }
        out.printf(Locale.ROOT, "ratio: heap slope after warm-up %.2f MB per 100,000 prompts, standard error %.2f "
                + "(%d prompts, %.0f s, %.0f prompts/s)%n", slope, stderr, prompts, seconds, prompts / seconds);
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "memory").put("prompts", prompts).put("seconds", seconds)
                .put("slope_mb_per_100k_prompts", slope).put("slope_standard_error_mb_per_100k_prompts", stderr)
                .put("warm_up_seconds", WARM_UP.toSeconds())
                .put("steady_samples", steady.size());
        ArrayNode points = json.putArray("samples");
        samples.forEach(s -> points.addObject().put("completed", s.completed()).put("seconds", s.seconds())
                .put("heap_mb", s.heapMb()));
        return json;
    }

    /** The samples taken once the warm-up ({@link #WARM_UP}) was over. */
    static List<Sample> steady(List<Sample> samples) {
        return samples.stream().filter(s -> s.seconds() >= WARM_UP.toSeconds()).toList();
    }

    /** Least-squares slope of heap against prompts completed, in MB per 100,000 prompts. */
    static double slopeMbPer100k(List<Sample> samples) {
        int n = samples.size();
        if (n < 2) {
            return 0;
        }
        double meanX = samples.stream().mapToDouble(Sample::completed).average().orElse(0);
        double meanY = samples.stream().mapToDouble(Sample::heapMb).average().orElse(0);
        double covariance = 0;
        double variance = 0;
        for (Sample sample : samples) {
            covariance += (sample.completed() - meanX) * (sample.heapMb() - meanY);
            variance += (sample.completed() - meanX) * (sample.completed() - meanX);
        }
        return variance == 0 ? 0 : covariance / variance * 100_000;
    }

    /**
     * The standard error of {@link #slopeMbPer100k}: how far the readings scatter about the fitted line, over how
     * widely their prompt counts spread; 0 for fewer than three readings.
     */
    static double slopeStandardErrorMbPer100k(List<Sample> samples) {
        int n = samples.size();
        if (n < 3) {
            return 0;
        }
        double slope = slopeMbPer100k(samples) / 100_000;
        double meanX = samples.stream().mapToDouble(Sample::completed).average().orElse(0);
        double meanY = samples.stream().mapToDouble(Sample::heapMb).average().orElse(0);
        double residuals = 0;
        double variance = 0;
        for (Sample sample : samples) {
            double fitted = meanY + slope * (sample.completed() - meanX);
            residuals += (sample.heapMb() - fitted) * (sample.heapMb() - fitted);
            variance += (sample.completed() - meanX) * (sample.completed() - meanX);
        }
        return variance == 0 ? 0 : Math.sqrt(residuals / (n - 2) / variance) * 100_000;
    }

    private static KafkaConsumer<byte[], byte[]> counter(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "memory-bench-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
