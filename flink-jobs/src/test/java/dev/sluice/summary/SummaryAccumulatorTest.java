package dev.sluice.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.Priority;
import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Tests for {@link SummaryAccumulator} and {@link SummaryAccumulatorSerializer}. */
class SummaryAccumulatorTest {

    private static final long START = 1_700_000_000_000L;
    private static final long WINDOW_MS = 60_000;

    @Test
    void percentilesAreTheExactOnesWithinHdrHistogramPrecision() {
        List<InferenceMetric> metrics = randomMetrics(new Random(7), 5_000);
        SummaryAccumulator acc = new SummaryAccumulator();
        metrics.forEach(acc::add);
        MetricsSummary summary = acc.toSummary("m", "e", START, START + WINDOW_MS);

        List<InferenceMetric> ok = metrics.stream().filter(m -> m.getOutcome().equals("OK")).toList();
        long[] latencies = ok.stream().mapToLong(InferenceMetric::getEndToEndMs).toArray();
        long[] firstTokens = ok.stream().mapToLong(InferenceMetric::getTimeToFirstTokenMs).toArray();
        assertWithinPrecision(summary.getLatencyP50Ms(), exactPercentile(latencies, 50));
        assertWithinPrecision(summary.getLatencyP95Ms(), exactPercentile(latencies, 95));
        assertWithinPrecision(summary.getLatencyP99Ms(), exactPercentile(latencies, 99));
        assertWithinPrecision(summary.getTtftP50Ms(), exactPercentile(firstTokens, 50));
        assertWithinPrecision(summary.getTtftP95Ms(), exactPercentile(firstTokens, 95));
        assertWithinPrecision(summary.getTtftP99Ms(), exactPercentile(firstTokens, 99));

        assertThat(summary.getCount()).isEqualTo(metrics.size());
        assertThat(summary.getOkCount()).isEqualTo(ok.size());
        assertThat(summary.getErrors()).containsOnlyKeys("BACKEND_FAILED", "DEADLINE_EXCEEDED");
        assertThat(summary.getErrors().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(metrics.size() - ok.size());
        assertThat(summary.getInputTokensPerSecond()).isCloseTo(
                metrics.stream().mapToLong(InferenceMetric::getPromptTokens).sum() / 60.0, within());
        assertThat(summary.getOutputTokensPerSecond()).isCloseTo(
                metrics.stream().mapToLong(InferenceMetric::getCompletionTokens).sum() / 60.0, within());
        assertThat(summary.getMeanBatchSize()).isCloseTo(
                ok.stream().mapToInt(InferenceMetric::getBatchSize).average().orElseThrow(), within());
        assertThat(summary.getUtilisation()).isCloseTo(
                ok.stream().mapToLong(m -> m.getEndToEndMs() - m.getQueueMs()).sum() / (double) WINDOW_MS, within());
        assertThat(summary.getRetries()).isEqualTo(metrics.stream().mapToLong(InferenceMetric::getRetries).sum());
        assertThat(summary.getGpuSeconds()).isEqualTo(
                metrics.stream().mapToDouble(InferenceMetric::getGpuSeconds).sum());
        assertThat(summary.getCost()).as("metrics without a price count 0").isEqualTo(
                metrics.stream().filter(m -> m.getCost() != null).mapToDouble(InferenceMetric::getCost).sum());
    }

    @Test
    void usageRowsCarryTokensCostAndTheirScope() {
        List<InferenceMetric> metrics = randomMetrics(new Random(5), 2_000);
        SummaryAccumulator acc = new SummaryAccumulator();
        metrics.forEach(acc::add);

        UsageSummary tenant = acc.toUsage("acme", null, START, START + WINDOW_MS);
        UsageSummary run = acc.toUsage("acme", "run-1", START, START + WINDOW_MS);

        assertThat(tenant.getScope()).isEqualTo(UsageScope.TENANT);
        assertThat(tenant.getRunId()).isNull();
        assertThat(run.getScope()).isEqualTo(UsageScope.RUN);
        assertThat(run.getRunId()).isEqualTo("run-1");
        assertThat(tenant.getRequests()).isEqualTo(metrics.size());
        assertThat(tenant.getPromptTokens()).isEqualTo(metrics.stream().mapToLong(InferenceMetric::getPromptTokens).sum());
        assertThat(tenant.getCompletionTokens())
                .isEqualTo(metrics.stream().mapToLong(InferenceMetric::getCompletionTokens).sum());
        assertThat(tenant.getCachedTokens()).isEqualTo(metrics.stream().mapToLong(InferenceMetric::getCachedTokens).sum());
        assertThat(tenant.getCost()).isEqualTo(
                metrics.stream().filter(m -> m.getCost() != null).mapToDouble(InferenceMetric::getCost).sum());
        assertThat(tenant.getErrors()).isEqualTo(acc.toSummary("m", "e", START, START + WINDOW_MS).getErrors());
        assertThat(tenant.getRunTotals()).as("the running totals are RunTotals'").isNull();
    }

    @Test
    void mergingAccumulatorsEqualsAggregatingEverything() {
        List<InferenceMetric> metrics = randomMetrics(new Random(11), 3_000);
        SummaryAccumulator all = new SummaryAccumulator();
        SummaryAccumulator first = new SummaryAccumulator();
        SummaryAccumulator second = new SummaryAccumulator();
        for (int i = 0; i < metrics.size(); i++) {
            all.add(metrics.get(i));
            (i % 3 == 0 ? first : second).add(metrics.get(i));
        }
        first.merge(second);
        assertThat(first.toSummary("m", "e", START, START + WINDOW_MS))
                .isEqualTo(all.toSummary("m", "e", START, START + WINDOW_MS));
    }

    @Test
    void aWindowWithoutSuccessHasNoPercentiles() {
        SummaryAccumulator acc = new SummaryAccumulator();
        acc.add(metric("BACKEND_FAILED", 40, 40, 0));
        MetricsSummary summary = acc.toSummary("m", "e", START, START + WINDOW_MS);
        assertThat(summary.getErrors()).isEqualTo(Map.of("BACKEND_FAILED", 1L));
        assertThat(summary.getLatencyP99Ms()).isNull();
        assertThat(summary.getMeanBatchSize()).isNull();
        assertThat(summary.getUtilisation()).isZero();
    }

    @Test
    void serializerRoundTripsTheAccumulator() throws Exception {
        SummaryAccumulator acc = new SummaryAccumulator();
        randomMetrics(new Random(3), 1_000).forEach(acc::add);
        DataOutputSerializer out = new DataOutputSerializer(256);
        SummaryAccumulatorSerializer.INSTANCE.serialize(acc, out);
        SummaryAccumulator read = SummaryAccumulatorSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read.toSummary("m", "e", START, START + WINDOW_MS))
                .isEqualTo(acc.toSummary("m", "e", START, START + WINDOW_MS));
        assertThat(read.toUsage("t", null, START, START + WINDOW_MS))
                .isEqualTo(acc.toUsage("t", null, START, START + WINDOW_MS));
        // Compressed: far less than the histograms' counts arrays.
        assertThat(out.length()).isLessThan(acc.latency.getEstimatedFootprintInBytes() / 4);
    }

    @Test
    void stateCheckpointedBeforeTheUsageFiguresIsMigrated() throws Exception {
        SummaryAccumulator acc = new SummaryAccumulator();
        randomMetrics(new Random(9), 500).forEach(acc::add);
        DataOutputSerializer old = new DataOutputSerializer(256);
        new SummaryAccumulatorSerializer.Snapshot().restoreSerializer().serialize(acc, old);

        assertThat(new SummaryAccumulatorSerializer.UsageSnapshot().resolveSchemaCompatibility(
                new SummaryAccumulatorSerializer.Snapshot()).isCompatibleAfterMigration()).isTrue();
        assertThat(SummaryAccumulatorSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(
                new SummaryAccumulatorSerializer.UsageSnapshot()).isCompatibleAsIs()).isTrue();
        SummaryAccumulator read = new SummaryAccumulatorSerializer.Snapshot().restoreSerializer().deserialize(
                new DataInputDeserializer(old.getCopyOfBuffer()));
        MetricsSummary expected = acc.toSummary("m", "e", START, START + WINDOW_MS);
        expected.setGpuSeconds(0.0);
        expected.setCost(0.0);
        assertThat(read.toSummary("m", "e", START, START + WINDOW_MS)).as("all but what the old format lacks")
                .isEqualTo(expected);
    }

    /**
     * The nearest-rank percentile, HdrHistogram's convention: the smallest value with at least {@code p} % of the
     * values at or below it, i.e. the ⌈p/100 · n⌉-th smallest.
     */
    static long exactPercentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /**
     * HdrHistogram reports the highest value equivalent to the exact one at its precision: never below it, and with
     * 3 significant digits at most 1/1024 of it above (values below 2048 are exact).
     */
    static void assertWithinPrecision(Long reported, long exact) {
        Histogram precision = SummaryAccumulator.newHistogram();
        assertThat(reported).isEqualTo(precision.highestEquivalentValue(exact))
                .isBetween(exact, exact + exact / 1024);
    }

    static List<InferenceMetric> randomMetrics(Random random, int n) {
        List<InferenceMetric> metrics = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Heavy-tailed latencies from tens of ms to tens of seconds, so the histogram's rounding shows.
            long endToEnd = (long) (20 * Math.exp(random.nextDouble() * 7));
            long firstToken = (long) (endToEnd * random.nextDouble());
            double roll = random.nextDouble();
            String outcome = roll < 0.05 ? "BACKEND_FAILED" : roll < 0.08 ? "DEADLINE_EXCEEDED" : "OK";
            InferenceMetric metric = metric(outcome, endToEnd, firstToken, random.nextInt(50));
            metric.setPromptTokens(random.nextInt(2_000));
            metric.setCompletionTokens(outcome.equals("OK") ? random.nextInt(500) : 0);
            metric.setBatchSize(outcome.equals("OK") ? 1 + random.nextInt(32) : 0);
            metric.setRetries(random.nextInt(3));
            metric.setCachedTokens(random.nextInt(metric.getPromptTokens() + 1));
            // Binary fractions, so sums are exact in any order and merged accumulators equal whole ones exactly.
            metric.setGpuSeconds(outcome.equals("OK") ? random.nextInt(4_096) / 1024.0 : 0);
            metric.setCost(random.nextInt(10) == 0 ? null : random.nextInt(1_024) / 65_536.0);
            metrics.add(metric);
        }
        return metrics;
    }

    static InferenceMetric metric(String outcome, long endToEnd, long firstToken, long queue) {
        return InferenceMetric.newBuilder()
                .setRequestId("r").setTenant("t").setModelId("m").setBackend("triton").setEndpoint("e")
                .setPriority(Priority.BATCH).setQueueMs(Math.min(queue, firstToken)).setTimeToFirstTokenMs(firstToken)
                .setEndToEndMs(endToEnd).setPromptTokens(0).setCompletionTokens(0).setOutputTokensPerSecond(0)
                .setBatchSize(0).setOutcome(outcome).setEventTime(START).build();
    }

    private static Offset<Double> within() {
        return Offset.offset(1e-9);
    }
}
