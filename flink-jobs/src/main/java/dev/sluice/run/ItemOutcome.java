package dev.sluice.run;

import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;

/**
 * What became of one part of a bulk run's item, as much as the run's tally needs (not the text).
 * Public with a canonical constructor so Flink serializes it as a POJO.
 *
 * @param itemIndex the item's position in the run's input
 * @param part which part of the item, from 0
 * @param parts how many parts the item was split into
 * @param reason why the part was rejected, or null when it was completed
 * @param promptTokens prompt tokens of a completed part
 * @param completionTokens completion tokens of a completed part
 * @param cost what a completed part cost at its deployment's price; null without a price, or for a reject
 * @param attempt which attempt at the item the request was ({@link Attempts}), 0 for its first publication
 */
public record ItemOutcome(long itemIndex, int part, int parts, RejectReason reason, int promptTokens,
        int completionTokens, Double cost, int attempt) {

    static ItemOutcome of(Completion completion) {
        return new ItemOutcome(completion.getItemIndex(), orDefault(completion.getChunkIndex(), 0),
                orDefault(completion.getChunkCount(), 1), null, completion.getPromptTokens(),
                completion.getCompletionTokens(), completion.getCost(), Attempts.of(completion.getRequestId()));
    }

    static ItemOutcome of(Reject reject) {
        return new ItemOutcome(reject.getItemIndex(), orDefault(reject.getChunkIndex(), 0),
                orDefault(reject.getChunkCount(), 1), reject.getReason(), 0, 0, null, Attempts.of(reject.getRequestId()));
    }

    private static int orDefault(Integer value, int otherwise) {
        return value == null ? otherwise : value;
    }
}
