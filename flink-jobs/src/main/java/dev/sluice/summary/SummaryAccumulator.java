package dev.sluice.summary;

import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The running aggregate of one key's metrics in one window. Mergeable: latencies are kept in HdrHistograms, which
 * add up exactly, so percentiles of merged accumulators are those of all their metrics, never averages of
 * percentiles.
 */
@TypeInfo(SummaryAccumulatorSerializer.TypeFactory.class)
public final class SummaryAccumulator {

    /** Values are kept to 3 significant digits: a percentile is at most 0.1 % above the true value. */
    public static final int SIGNIFICANT_DIGITS = 3;
    static final String OK = "OK";

    final Histogram latency = newHistogram();
    final Histogram firstToken = newHistogram();
    final Map<String, Long> errors = new TreeMap<>();
    long count;
    long okCount;
    long inputTokens;
    long outputTokens;
    long batchSizeSum;
    long retries;
    long serviceMs;
    long cachedTokens;
    double gpuSeconds;
    double cost;

    /** Auto-resizing, so any latency fits. */
    static Histogram newHistogram() {
        return new Histogram(SIGNIFICANT_DIGITS);
    }

    public void add(InferenceMetric metric) {
        count++;
        inputTokens += metric.getPromptTokens();
        outputTokens += metric.getCompletionTokens();
        cachedTokens += metric.getCachedTokens();
        retries += metric.getRetries();
        gpuSeconds += metric.getGpuSeconds();
        cost += metric.getCost() == null ? 0 : metric.getCost();
        if (!metric.getOutcome().equals(OK)) {
            // A failed request's timings measure the failure, not the service: they stay out of the latencies.
            errors.merge(metric.getOutcome(), 1L, Long::sum);
            return;
        }
        okCount++;
        latency.recordValue(Math.max(0, metric.getEndToEndMs()));
        firstToken.recordValue(Math.max(0, metric.getTimeToFirstTokenMs()));
        batchSizeSum += metric.getBatchSize();
        serviceMs += Math.max(0, metric.getEndToEndMs() - metric.getQueueMs());
    }

    /** Adds {@code other}'s metrics to this one's. */
    public void merge(SummaryAccumulator other) {
        latency.add(other.latency);
        firstToken.add(other.firstToken);
        other.errors.forEach((outcome, n) -> errors.merge(outcome, n, Long::sum));
        count += other.count;
        okCount += other.okCount;
        inputTokens += other.inputTokens;
        outputTokens += other.outputTokens;
        batchSizeSum += other.batchSizeSum;
        retries += other.retries;
        serviceMs += other.serviceMs;
        cachedTokens += other.cachedTokens;
        gpuSeconds += other.gpuSeconds;
        cost += other.cost;
    }

    /** The summary row of {@code modelId} at {@code endpoint} for the window [{@code start}, {@code end}). */
    public MetricsSummary toSummary(String modelId, String endpoint, long start, long end) {
        double seconds = (end - start) / 1000.0;
        boolean any = okCount > 0;
        return MetricsSummary.newBuilder()
                .setModelId(modelId).setEndpoint(endpoint).setWindowStart(start).setWindowEnd(end)
                .setCount(count).setOkCount(okCount).setErrors(new TreeMap<>(errors))
                .setLatencyP50Ms(any ? latency.getValueAtPercentile(50) : null)
                .setLatencyP95Ms(any ? latency.getValueAtPercentile(95) : null)
                .setLatencyP99Ms(any ? latency.getValueAtPercentile(99) : null)
                .setTtftP50Ms(any ? firstToken.getValueAtPercentile(50) : null)
                .setTtftP95Ms(any ? firstToken.getValueAtPercentile(95) : null)
                .setTtftP99Ms(any ? firstToken.getValueAtPercentile(99) : null)
                .setInputTokensPerSecond(inputTokens / seconds)
                .setOutputTokensPerSecond(outputTokens / seconds)
                .setMeanBatchSize(any ? (double) batchSizeSum / okCount : null)
                .setRetries(retries)
                .setUtilisation(serviceMs / (double) (end - start))
                .setGpuSeconds(gpuSeconds)
                .setCost(cost)
                .build();
    }

    /**
     * The usage row of {@code tenant}, or of its run {@code runId} where not null, for the window [{@code start},
     * {@code end}); running totals are the caller's ({@link RunTotals}).
     */
    public UsageSummary toUsage(String tenant, String runId, long start, long end) {
        boolean any = okCount > 0;
        return UsageSummary.newBuilder()
                .setScope(runId == null ? UsageScope.TENANT : UsageScope.RUN)
                .setTenant(tenant).setRunId(runId).setWindowStart(start).setWindowEnd(end)
                .setRequests(count).setOkRequests(okCount).setErrors(new TreeMap<>(errors))
                .setPromptTokens(inputTokens).setCompletionTokens(outputTokens).setCachedTokens(cachedTokens)
                .setLatencyP50Ms(any ? latency.getValueAtPercentile(50) : null)
                .setLatencyP95Ms(any ? latency.getValueAtPercentile(95) : null)
                .setLatencyP99Ms(any ? latency.getValueAtPercentile(99) : null)
                .setGpuSeconds(gpuSeconds)
                .setCost(cost)
                .build();
    }
}
