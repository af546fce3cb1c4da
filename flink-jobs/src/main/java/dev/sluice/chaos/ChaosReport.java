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
 * @param recoverySeconds the longest pause between committed completions as a consumer reads them: how long
 *     output stopped (without a fault, about the checkpoint interval, at which output commits)
 * @param seconds from the first prompt published until the last outcome was read
 */
public record ChaosReport(String scenario, int offered, int completions, Map<String, Integer> rejects, int lost,
        int duplicated, int partial, Map<String, Integer> models, double recoverySeconds, double seconds) {}
