package dev.sluice.summary;

import dev.sluice.schema.InferenceMetric;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Passes each metric on for its tenant's usage row, without its run id, and, where it belongs to a bulk run, once
 * more as it is, for the run's row. As with {@link ModelTotals}, percentiles cannot be combined from rows, so each
 * row is aggregated from the metrics themselves.
 */
public final class UsageScopes implements FlatMapFunction<InferenceMetric, InferenceMetric> {

    @Override
    public void flatMap(InferenceMetric metric, Collector<InferenceMetric> out) {
        out.collect(InferenceMetric.newBuilder(metric).setRunId(null).build());
        if (metric.getRunId() != null) {
            out.collect(metric);
        }
    }
}
