package dev.sluice.bulk;

import dev.sluice.config.Price;
import dev.sluice.schema.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** A bulk run's state for a person: status, counts, tokens, throughput and, while it runs, an ETA. */
public final class RunReport {

    private RunReport() {}

    /** Items with an outcome: done, failed or cancelled. */
    public static int settled(RunState state) {
        return state.getDoneItems() + state.getFailedItems() + state.getCancelledItems();
    }

    public static String status(RunState state) {
        return state.getStatus().name().toLowerCase(Locale.ROOT);
    }

    /** Items a second since the first outcome, or 0 before there is a second's worth to go on. */
    public static double itemsPerSecond(RunState state) {
        double seconds = servingSeconds(state);
        return seconds < 1 ? 0 : settled(state) / seconds;
    }

    public static String describe(RunState state) {
        return describe(state, null);
    }

    /** As {@link #describe(RunState)}, with what a hosted batch API would have charged at {@code reference}. */
    public static String describe(RunState state, Price reference) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "run %s (tenant %s): %s%n", state.getRunId(), state.getTenant(),
                status(state)));
        Integer total = state.getTotalItems();
        if (total != null) {
            text.append(String.format(Locale.ROOT, "items:      %,d of %,d have an outcome (%.1f%%): %,d done, %,d failed, "
                    + "%,d cancelled%n", settled(state), total, total == 0 ? 100.0 : 100.0 * settled(state) / total,
                    state.getDoneItems(), state.getFailedItems(), state.getCancelledItems()));
        }
        if (state.getAttempt() > 0) {
            text.append(String.format(Locale.ROOT, "retried:    attempt %d; each item counts by its latest attempt%n",
                    state.getAttempt()));
        }
        text.append(String.format(Locale.ROOT, "tokens:     %,d prompt, %,d completion%n", state.getPromptTokens(),
                state.getCompletionTokens()));
        if (state.getCost() != null || reference != null) {
            text.append("cost:       ").append(state.getCost() == null ? "no price in the catalog"
                    : String.format(Locale.ROOT, "%.4f at the catalog's prices", state.getCost()));
            if (reference != null) {
                text.append(String.format(Locale.ROOT, "; %.4f at the reference price of a hosted batch API",
                        reference.cost(state.getPromptTokens(), state.getCompletionTokens(), 0)));
            }
            text.append(System.lineSeparator());
        }
        double seconds = servingSeconds(state);
        if (seconds >= 1) {
            text.append(String.format(Locale.ROOT, "throughput: %.1f items/s, %,.0f completion tokens/s over %s%n",
                    itemsPerSecond(state), state.getCompletionTokens() / seconds, human(Duration.ofMillis(
                            (long) (seconds * 1000)))));
        }
        if (!RunStates.FINAL.contains(state.getStatus()) && total != null) {
            double rate = itemsPerSecond(state);
            int left = total - settled(state);
            text.append("eta:        ").append(rate > 0 ? human(Duration.ofSeconds((long) Math.ceil(left / rate)))
                    : "unknown until items are served").append(System.lineSeparator());
        }
        if (state.getDeadline() != null) {
            text.append("deadline:   ").append(Instant.ofEpochMilli(state.getDeadline())).append(System.lineSeparator());
        }
        if (state.getMessage() != null) {
            text.append("note:       ").append(state.getMessage()).append(System.lineSeparator());
        }
        return text.toString();
    }

    private static double servingSeconds(RunState state) {
        return state.getFirstOutcomeAt() == null ? 0 : (state.getUpdatedAt() - state.getFirstOutcomeAt()) / 1000.0;
    }

    static String human(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60)
                : seconds >= 60 ? String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60)
                : seconds + "s";
    }
}
