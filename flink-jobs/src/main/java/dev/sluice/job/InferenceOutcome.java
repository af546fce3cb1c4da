package dev.sluice.job;

import dev.sluice.schema.Completion;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.Reject;

/**
 * What became of one request: a completion or a reject, and its metric either way.
 * Public with a canonical constructor so Flink serializes it as a POJO.
 *
 * @param completion the completion, or null when rejected
 * @param reject the reject, or null when completed
 * @param metric the request's metric
 */
public record InferenceOutcome(Completion completion, Reject reject, InferenceMetric metric) {

    public InferenceOutcome {
        if ((completion == null) == (reject == null)) {
            throw new IllegalArgumentException("an outcome is either a completion or a reject");
        }
    }
}
