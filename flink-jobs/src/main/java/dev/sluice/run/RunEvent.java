package dev.sluice.run;

import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RunCommand;

/**
 * A command about a bulk run, or the outcome of one of its requests, keyed by the run.
 * Public with a canonical constructor so Flink serializes it as a POJO.
 *
 * @param runKey {@link RunKeys#of the run's key}
 * @param command the command, or null
 * @param outcome the outcome, or null
 */
public record RunEvent(String runKey, RunCommand command, ItemOutcome outcome) {

    public static RunEvent of(RunCommand command) {
        return new RunEvent(RunKeys.of(command.getTenant(), command.getRunId()), command, null);
    }

    /** Null for a completion outside any run. */
    public static RunEvent of(Completion completion) {
        return completion.getRunId() == null || completion.getItemIndex() == null ? null
                : new RunEvent(RunKeys.of(completion.getTenant(), completion.getRunId()), null,
                        ItemOutcome.of(completion));
    }

    /** Null for a reject outside any run. */
    public static RunEvent of(Reject reject) {
        return reject.getRunId() == null || reject.getItemIndex() == null || reject.getTenant() == null ? null
                : new RunEvent(RunKeys.of(reject.getTenant(), reject.getRunId()), null, ItemOutcome.of(reject));
    }
}
