package dev.sluice.summary;

import static dev.sluice.summary.SummaryAccumulatorTest.assertWithinPrecision;
import static dev.sluice.summary.SummaryAccumulatorTest.exactPercentile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.config.GatewaySettings;
import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.SummarySettings;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.job.UnreadableRecords;
import dev.sluice.job.LocalJob;
import dev.sluice.job.MetricsSummaryJob;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import dev.sluice.serde.RecordCodec;
import dev.sluice.terminal.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The metrics-summary job on its own MiniCluster against a real broker, checked against the raw metrics; records
 * among them that are not metrics end up on the dead-letters topic.
 */
class MetricsSummaryITCase {

    private static final long BASE = 1_700_000_000_000L;
    private static final long WINDOW_MS = 10_000;
    private static final List<List<String>> ENDPOINTS = List.of(
            List.of("m-a", "e1"), List.of("m-a", "e2"), List.of("m-b", "e1"));

    private static final List<String> RUNS = Arrays.asList("run-1", "run-2", null);

    private static EmbeddedKafka kafka;
    private static SluiceConfig config;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        config = new SluiceConfig(
                new KafkaSettings(kafka.bootstrapServers(), "summ", "avro", Duration.ofMinutes(10), Map.of()),
                new JobSettings(1, Duration.ofMillis(500), 1, Duration.ofSeconds(30), "it"),
                LimitSettings.ofDefaults(), GatewaySettings.ofDefaults(), null,
                // One reader for both partitions: one consumer fetches them together, so neither is idle while the other
                // still has a backlog; and a partition is idle only after 10 s without a record, far longer than a
                // loaded machine takes over the other's backlog, so no on-time metric can turn late by the timing.
                new SummarySettings(Duration.ofMillis(WINDOW_MS), Duration.ofSeconds(2), Duration.ofSeconds(10), 1),
                null, null);
        kafka.createPipelineTopics(config.kafka().topics(), 2);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void summariesMatchTheRawMetricsLateOnesAreCountedAndUnreadableOnesKept() throws Exception {
        Random random = new Random(42);
        List<InferenceMetric> onTime = new ArrayList<>();
        for (int window = 0; window < 2; window++) {
            for (List<String> endpoint : ENDPOINTS) {
                for (InferenceMetric metric : SummaryAccumulatorTest.randomMetrics(random, 60)) {
                    metric.setModelId(endpoint.get(0));
                    metric.setEndpoint(endpoint.get(1));
                    metric.setEventTime(BASE + window * WINDOW_MS + random.nextInt((int) WINDOW_MS));
                    // Two tenants, one of them with two bulk runs and work outside any run.
                    metric.setTenant(random.nextBoolean() ? "acme" : "globex");
                    metric.setRunId(metric.getTenant().equals("acme") ? RUNS.get(random.nextInt(RUNS.size())) : null);
                    onTime.add(metric);
                }
            }
        }
        List<InferenceMetric> late = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            InferenceMetric metric = SummaryAccumulatorTest.metric("OK", 100, 50, 10);
            metric.setModelId("m-a");
            metric.setEndpoint("e1");
            metric.setEventTime(BASE + 5_000);
            late.add(metric);
        }
        InferenceMetric future = SummaryAccumulatorTest.metric("OK", 100, 50, 10);
        future.setModelId("m-b");
        future.setEndpoint("e1");
        future.setEventTime(BASE + 3_600_000);

        // Stamped now, years after the metrics' event time: were their timestamps to count for the watermark, every
        // metric would be late.
        List<UnreadableRecords.Sent> hostile = UnreadableRecords.send(config.kafka(), config.kafka().topics().metrics(),
                InferenceMetric.getClassSchema());
        try (KafkaProducer<byte[], byte[]> producer = producer(); SummaryReader reader = new SummaryReader()) {
            // Window 1's metrics push the watermark past window 0's end: its rows are written.
            publish(producer, onTime);
            JobClient job = LocalJob.startSummary(config);
            assertThat(reader.awaitRows(row -> row.getWindowStart() == BASE, 5)).isTrue();
            // Window 0 has been written, so these are late; the far-future one then closes window 1.
            publish(producer, late);
            publish(producer, List.of(future));
            assertThat(reader.awaitRows(row -> row.getWindowStart() == BASE + WINDOW_MS, 5)).isTrue();
            assertThat(reader.awaitRows(row -> row.getLateRecords() > 0, 2)).isTrue();
            List<DeadLetter> deadLetters = UnreadableRecords.awaitDeadLetters(config.kafka(), hostile.size(),
                    Duration.ofSeconds(30));
            reader.drain(Duration.ofSeconds(2));
            job.cancel().get();

            UnreadableRecords.assertKeptOnce(deadLetters, hostile, MetricsSummaryJob.JOB_NAME);

            List<MetricsSummary> rows = reader.rows;
            List<MetricsSummary> lateRows = rows.stream().filter(row -> row.getLateRecords() > 0).toList();
            assertThat(lateRows).extracting(MetricsSummary::getModelId, MetricsSummary::getEndpoint,
                            MetricsSummary::getWindowStart, MetricsSummary::getLateRecords, MetricsSummary::getCount)
                    .containsExactlyInAnyOrder(
                            tuple("m-a", "e1", BASE, 3L, 0L),
                            tuple("m-a", ModelTotals.ALL_ENDPOINTS, BASE, 3L, 0L));
            List<MetricsSummary> windowRows = rows.stream().filter(row -> row.getLateRecords() == 0).toList();
            // Per endpoint and per model, for each of the two windows, exactly once.
            assertThat(windowRows).hasSize(10);
            for (MetricsSummary row : windowRows) {
                assertMatches(row, onTime.stream().filter(m -> m.getModelId().equals(row.getModelId())
                        && (row.getEndpoint().equals(ModelTotals.ALL_ENDPOINTS)
                                || m.getEndpoint().equals(row.getEndpoint()))
                        && m.getEventTime() >= row.getWindowStart() && m.getEventTime() < row.getWindowEnd())
                        .toList());
            }
            assertUsageMatches(onTime, late);
        }
    }

    private static void assertMatches(MetricsSummary row, List<InferenceMetric> raw) {
        List<InferenceMetric> ok = raw.stream().filter(m -> m.getOutcome().equals("OK")).toList();
        assertThat(row.getWindowEnd() - row.getWindowStart()).isEqualTo(WINDOW_MS);
        assertThat(row.getCount()).as("count of %s", row).isEqualTo(raw.size());
        assertThat(row.getOkCount()).isEqualTo(ok.size());
        assertThat(row.getErrors()).isEqualTo(raw.stream().filter(m -> !m.getOutcome().equals("OK"))
                .collect(Collectors.groupingBy(InferenceMetric::getOutcome, Collectors.counting())));
        long[] latencies = ok.stream().mapToLong(InferenceMetric::getEndToEndMs).toArray();
        long[] firstTokens = ok.stream().mapToLong(InferenceMetric::getTimeToFirstTokenMs).toArray();
        assertWithinPrecision(row.getLatencyP50Ms(), exactPercentile(latencies, 50));
        assertWithinPrecision(row.getLatencyP95Ms(), exactPercentile(latencies, 95));
        assertWithinPrecision(row.getLatencyP99Ms(), exactPercentile(latencies, 99));
        assertWithinPrecision(row.getTtftP50Ms(), exactPercentile(firstTokens, 50));
        assertWithinPrecision(row.getTtftP95Ms(), exactPercentile(firstTokens, 95));
        assertWithinPrecision(row.getTtftP99Ms(), exactPercentile(firstTokens, 99));
        double seconds = WINDOW_MS / 1000.0;
        assertThat(row.getInputTokensPerSecond())
                .isEqualTo(raw.stream().mapToLong(InferenceMetric::getPromptTokens).sum() / seconds);
        assertThat(row.getOutputTokensPerSecond())
                .isEqualTo(raw.stream().mapToLong(InferenceMetric::getCompletionTokens).sum() / seconds);
        assertThat(row.getMeanBatchSize())
                .isEqualTo((double) ok.stream().mapToLong(InferenceMetric::getBatchSize).sum() / ok.size());
        assertThat(row.getUtilisation()).isEqualTo(
                ok.stream().mapToLong(m -> m.getEndToEndMs() - m.getQueueMs()).sum() / (double) WINDOW_MS);
    }

    /**
     * The usage topic, read as a consumer would: a row per tenant and per run and window, exactly once, each matching
     * the raw metrics; a run's rows carry its running totals; the late metrics (tenant t, no run) in a row of their own.
     */
    private static void assertUsageMatches(List<InferenceMetric> onTime, List<InferenceMetric> late) {
        List<UsageSummary> usage;
        try (TopicReader<UsageSummary> reader = new TopicReader<>(config.kafka(), config.kafka().topics().usage(),
                UsageSummary.getClassSchema(), true)) {
            usage = reader.readToEnd();
        }
        assertThat(usage).filteredOn(row -> row.getLateRecords() > 0)
                .extracting(UsageSummary::getScope, UsageSummary::getTenant, UsageSummary::getLateRecords)
                .containsExactly(tuple(UsageScope.TENANT, "t", (long) late.size()));
        List<UsageSummary> windowRows = usage.stream().filter(row -> row.getLateRecords() == 0).toList();
        // acme, globex, run-1 and run-2, in each of the two windows.
        assertThat(windowRows).extracting(UsageRows::recordKey, UsageSummary::getWindowStart)
                .containsExactlyInAnyOrder(tuple("acme", BASE), tuple("globex", BASE), tuple("acme/run-1", BASE),
                        tuple("acme/run-2", BASE), tuple("acme", BASE + WINDOW_MS), tuple("globex", BASE + WINDOW_MS),
                        tuple("acme/run-1", BASE + WINDOW_MS), tuple("acme/run-2", BASE + WINDOW_MS));
        for (UsageSummary row : windowRows) {
            List<InferenceMetric> raw = onTime.stream().filter(m -> m.getTenant().equals(row.getTenant())
                    && (row.getScope() == UsageScope.TENANT || row.getRunId().equals(m.getRunId()))
                    && m.getEventTime() >= row.getWindowStart() && m.getEventTime() < row.getWindowEnd()).toList();
            assertThat(row.getRequests()).as("requests of %s", row).isEqualTo(raw.size());
            assertThat(row.getPromptTokens()).isEqualTo(raw.stream().mapToLong(InferenceMetric::getPromptTokens).sum());
            assertThat(row.getCompletionTokens())
                    .isEqualTo(raw.stream().mapToLong(InferenceMetric::getCompletionTokens).sum());
            assertThat(row.getCachedTokens()).isEqualTo(raw.stream().mapToLong(InferenceMetric::getCachedTokens).sum());
            assertThat(row.getCost()).isCloseTo(raw.stream().filter(m -> m.getCost() != null)
                    .mapToDouble(InferenceMetric::getCost).sum(), within(1e-9));
            assertThat(row.getGpuSeconds())
                    .isCloseTo(raw.stream().mapToDouble(InferenceMetric::getGpuSeconds).sum(), within(1e-9));
            assertWithinPrecision(row.getLatencyP99Ms(), exactPercentile(raw.stream()
                    .filter(m -> m.getOutcome().equals("OK")).mapToLong(InferenceMetric::getEndToEndMs).toArray(), 99));
            if (row.getScope() == UsageScope.TENANT) {
                assertThat(row.getRunTotals()).isNull();
                continue;
            }
            List<InferenceMetric> runSoFar = onTime.stream().filter(m -> row.getRunId().equals(m.getRunId())
                    && m.getEventTime() < row.getWindowEnd()).toList();
            assertThat(row.getRunTotals().getRequests()).isEqualTo(runSoFar.size());
            assertThat(row.getRunTotals().getCompletionTokens())
                    .isEqualTo(runSoFar.stream().mapToLong(InferenceMetric::getCompletionTokens).sum());
            assertThat(row.getRunTotals().getCost()).isCloseTo(runSoFar.stream().filter(m -> m.getCost() != null)
                    .mapToDouble(InferenceMetric::getCost).sum(), within(1e-9));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(config.kafka().clientProperties(), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private static void publish(KafkaProducer<byte[], byte[]> producer, List<InferenceMetric> metrics) {
        RecordCodec<InferenceMetric> codec = new RecordCodec<>(InferenceMetric.getClassSchema());
        int n = 0;
        for (InferenceMetric metric : metrics) {
            metric.setRequestId(metric.getModelId() + "-" + metric.getEventTime() + "-" + n++);
            producer.send(new ProducerRecord<>(config.kafka().topics().metrics(),
                    metric.getRequestId().getBytes(StandardCharsets.UTF_8), codec.encode(metric, false)));
        }
        producer.flush();
    }

    /** Reads the summary topic read_committed, as a downstream consumer would. */
    private static final class SummaryReader implements AutoCloseable {

        final List<MetricsSummary> rows = new ArrayList<>();
        private final RecordCodec<MetricsSummary> codec = new RecordCodec<>(MetricsSummary.getClassSchema());
        private final KafkaConsumer<byte[], byte[]> consumer;

        SummaryReader() {
            Properties properties = config.kafka().clientProperties();
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            String topic = config.kafka().topics().metricsSummary();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        boolean awaitRows(Predicate<MetricsSummary> which, int atLeast) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (rows.stream().filter(which).count() < atLeast) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                poll();
            }
            return true;
        }

        void drain(Duration quiet) {
            long deadline = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < deadline) {
                poll();
            }
        }

        private void poll() {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                MetricsSummary row = codec.decode(record.value());
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(row.getModelId());
                rows.add(row);
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
