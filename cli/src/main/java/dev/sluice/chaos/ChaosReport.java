package dev.sluice.chaos;

import java.util.Map;

/**
 * What came out of one fault scenario.
 *
 * @param scenario its name
 * @param offered prompts published
 * @param completions completions committed
 * @param rejects rejects committed, by reason
 * @param lost prompts with neither a completion nor a reject
 * @param duplicated outcomes beyond the first for a prompt
 * @param partial completions whose text is not the server's whole answer
 * @param models completions per model that served them
 * @param servedByServer sequences each emulated server ({@code host:port}) finished during the run: which
 *     replica served, as a completion's endpoint (its deployment's) does not say; empty where it is not measured
 * @param recoverySeconds the longest pause between committed completions as a consumer reads them: how long
 *     output stopped (without a fault, about the checkpoint interval, at which output commits)
 * @param seconds from the first prompt published until the last outcome was read
 * @param peakHeapAfterGcMb the most heap in use after a full collection, sampled through the run, when the job
 *     runs in this JVM (with the broker and the servers: an upper bound on the job's share); NaN when it does not
 */
public record ChaosReport(String scenario, int offered, int completions, Map<String, Integer> rejects, int lost,
        int duplicated, int partial, Map<String, Integer> models, Map<String, Long> servedByServer,
        double recoverySeconds, double seconds, double peakHeapAfterGcMb) {

    /** This report with what the servers and the heap showed beside it. */
    ChaosReport withMeasuredBeside(Map<String, Long> served, double heapMb) {
        return new ChaosReport(scenario, offered, completions, rejects, lost, duplicated, partial, models,
                Map.copyOf(served), recoverySeconds, seconds, heapMb);
    }
}
