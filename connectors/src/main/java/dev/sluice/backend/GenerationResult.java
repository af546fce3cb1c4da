package dev.sluice.backend;

import java.util.Objects;

/**
 * One completion as the server returned it.
 *
 * @param id the request's id
 * @param text the generated text only, without the prompt
 * @param finishReason {@code stop} when the model ended on its own, {@code length} when it hit max tokens
 * @param promptTokens tokens in the prompt, as the server counted them
 * @param completionTokens tokens generated
 * @param cachedTokens prompt tokens served from the server's prefix cache
 * @param batchSize how many requests shared the server call
 * @param firstTokenAtNanos {@link System#nanoTime()} when the first output arrived; 0 when the whole answer came
 *     at once
 */
public record GenerationResult(
        String id, String text, String finishReason, int promptTokens, int completionTokens, int cachedTokens,
        int batchSize, long firstTokenAtNanos) {

    public GenerationResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
    }
}
