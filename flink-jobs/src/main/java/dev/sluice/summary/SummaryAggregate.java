package dev.sluice.summary;

import dev.sluice.schema.InferenceMetric;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds a window's metrics into one {@link SummaryAccumulator}; {@code merge} adds accumulators exactly. */
public final class SummaryAggregate
        implements AggregateFunction<InferenceMetric, SummaryAccumulator, SummaryAccumulator> {

    @Override
    public SummaryAccumulator createAccumulator() {
        return new SummaryAccumulator();
    }

    @Override
    public SummaryAccumulator add(InferenceMetric metric, SummaryAccumulator acc) {
        acc.add(metric);
        return acc;
    }

    @Override
    public SummaryAccumulator getResult(SummaryAccumulator acc) {
        return acc;
    }

    @Override
    public SummaryAccumulator merge(SummaryAccumulator a, SummaryAccumulator b) {
        a.merge(b);
        return a;
    }
}
