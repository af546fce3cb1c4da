package dev.sluice.summary;

import dev.sluice.schema.InferenceMetric;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Passes each metric on twice: as it is, for its endpoint's row, and under endpoint {@value #ALL_ENDPOINTS}, for its
 * model's row over all endpoints. Percentiles cannot be combined from rows, so the model's row is aggregated from
 * the metrics themselves.
 */
public final class ModelTotals implements FlatMapFunction<InferenceMetric, InferenceMetric> {

    public static final String ALL_ENDPOINTS = "*";

    @Override
    public void flatMap(InferenceMetric metric, Collector<InferenceMetric> out) {
        out.collect(metric);
        out.collect(InferenceMetric.newBuilder(metric).setEndpoint(ALL_ENDPOINTS).build());
    }
}
