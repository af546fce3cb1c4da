package dev.sluice.job;

import dev.sluice.schema.InferenceMetric;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * One subtask's count of outcomes: completions, output tokens and latency per model and endpoint, rejects per
 * reason. Each subtask counts only the outcomes it splits, so Prometheus sums them over subtasks.
 */
final class OutcomeMetrics {

    /** Completed requests a subtask's latency histogram keeps. */
    static final int LATENCY_WINDOW = 1024;

    private final MetricGroup operator;
    private final Map<Target, PerTarget> byTarget = new HashMap<>();
    private final RejectCounters rejects;

    OutcomeMetrics(MetricGroup operator) {
        this.operator = operator;
        this.rejects = new RejectCounters(operator);
    }

    private record Target(String modelId, String endpoint) {}

    private record PerTarget(Counter completions, Counter outputTokens, Histogram latencyMillis) {}

    void count(InferenceOutcome outcome) {
        if (outcome.completion() == null) {
            rejects.count(outcome.reject().getReason());
            return;
        }
        InferenceMetric metric = outcome.metric();
        PerTarget target = byTarget.computeIfAbsent(new Target(metric.getModelId(), metric.getEndpoint()),
                this::register);
        target.completions.inc();
        target.outputTokens.inc(metric.getCompletionTokens());
        target.latencyMillis.update(metric.getEndToEndMs());
    }

    private PerTarget register(Target target) {
        Counter tokens = SluiceMetrics.OUTPUT_TOKENS.group(operator, target.modelId, target.endpoint)
                .counter(SluiceMetrics.OUTPUT_TOKENS.name());
        SluiceMetrics.OUTPUT_TOKENS_PER_SECOND.group(operator, target.modelId, target.endpoint)
                .meter(SluiceMetrics.OUTPUT_TOKENS_PER_SECOND.name(), new MeterView(tokens));
        return new PerTarget(
                SluiceMetrics.COMPLETIONS.group(operator, target.modelId, target.endpoint)
                        .counter(SluiceMetrics.COMPLETIONS.name()),
                tokens,
                SluiceMetrics.LATENCY_MS.group(operator, target.modelId, target.endpoint)
                        .histogram(SluiceMetrics.LATENCY_MS.name(),
                                new DescriptiveStatisticsHistogram(LATENCY_WINDOW)));
    }
}
