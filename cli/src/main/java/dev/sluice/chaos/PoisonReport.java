package dev.sluice.chaos;

import java.util.Map;

/**
 * What came out of the poison scenario: well-behaved tenants' load with and without hostile records beside it.
 *
 * @param offered well-behaved prompts published in each run
 * @param completed of them, completed in the run with hostile records
 * @param lost well-behaved prompts with no outcome there
 * @param duplicated outcomes beyond the first for a well-behaved prompt there
 * @param restarts how often the job restarted there
 * @param hostile hostile records published, by kind
 * @param answered hostile records answered as they must be (a reject with its reason, or a dead letter), by kind
 * @param baselineP99Seconds the well-behaved prompts' p99 latency, published to completion read, without hostile records
 * @param poisonP99Seconds the same with them
 */
public record PoisonReport(int offered, int completed, int lost, int duplicated, int restarts,
        Map<String, Integer> hostile, Map<String, Integer> answered, double baselineP99Seconds,
        double poisonP99Seconds) {

    /** The target: at most 1.5. */
    public double p99Ratio() {
        return poisonP99Seconds / baselineP99Seconds;
    }

    public int hostileTotal() {
        return hostile.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int answeredTotal() {
        return answered.values().stream().mapToInt(Integer::intValue).sum();
    }
}
