package dev.sluice.job;

import dev.sluice.schema.Completion;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.Reject;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Completions on the main output; metrics and rejects on their own. Counts them in Flink's metrics too. */
final class OutcomeSplitter extends ProcessFunction<InferenceOutcome, Completion> {

    static final OutputTag<InferenceMetric> METRICS = new OutputTag<>("metrics") {};
    static final OutputTag<Reject> REJECTS = new OutputTag<>("inference-rejects") {};

    private transient OutcomeMetrics metrics;

    @Override
    public void open(OpenContext context) {
        metrics = new OutcomeMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(InferenceOutcome outcome, Context context, Collector<Completion> out) {
        metrics.count(outcome);
        if (outcome.completion() != null) {
            out.collect(outcome.completion());
        } else {
            context.output(REJECTS, outcome.reject());
        }
        context.output(METRICS, outcome.metric());
    }
}
