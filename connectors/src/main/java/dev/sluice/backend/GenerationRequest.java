package dev.sluice.backend;

import java.util.List;
import java.util.Objects;

/**
 * What a backend needs to generate one completion: the rendered prompt and the sampling settings.
 *
 * @param id correlates the request with its result on the wire
 * @param prompt the prompt text as the model receives it
 * @param maxTokens upper bound on generated tokens, positive
 * @param temperature sampling temperature, or null for the server's default
 * @param topP nucleus sampling mass, or null for the server's default
 * @param seed sampling seed, or null for none
 * @param stop stop words, possibly empty
 * @param messages the conversation behind {@code prompt}, for backends that apply the model's chat template;
 *     empty for a plain prompt
 * @param deadlineNanos when the pipeline gives up on the request, a {@link System#nanoTime()} instant; 0 for none.
 *     A backend bounds its server call by the time left until then.
 * @param constraint the form the completion must take, or null for free text
 * @param interactive whether someone waits for it: the gateway queues it ahead of batch work, and a backend whose
 *     server schedules by priority asks for it to go first there too
 */
public record GenerationRequest(
        String id, String prompt, int maxTokens, Float temperature, Float topP, Long seed, List<String> stop,
        List<ChatTurn> messages, long deadlineNanos, OutputConstraint constraint, boolean interactive) {

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        messages = messages == null ? List.of() : List.copyOf(messages);
    }

    /** A request without a deadline of its own: its calls get the backend's whole call timeout. */
    public GenerationRequest(String id, String prompt, int maxTokens, Float temperature, Float topP, Long seed,
            List<String> stop, List<ChatTurn> messages) {
        this(id, prompt, maxTokens, temperature, topP, seed, stop, messages, 0, null, false);
    }

    /** This request, given up on at {@code deadline} (a {@link System#nanoTime()} instant, 0 for none). */
    public GenerationRequest withDeadlineNanos(long deadline) {
        return new GenerationRequest(id, prompt, maxTokens, temperature, topP, seed, stop, messages, deadline,
                constraint, interactive);
    }

    /** This request, waited for by someone or not. */
    public GenerationRequest withInteractive(boolean value) {
        return new GenerationRequest(id, prompt, maxTokens, temperature, topP, seed, stop, messages, deadlineNanos,
                constraint, value);
    }

    /** This request, its completion held to {@code value} (null for free text). */
    public GenerationRequest withConstraint(OutputConstraint value) {
        return new GenerationRequest(id, prompt, maxTokens, temperature, topP, seed, stop, messages, deadlineNanos,
                value, interactive);
    }

    /** A request with only a prompt and a token limit. */
    public static GenerationRequest of(String id, String prompt, int maxTokens) {
        return new GenerationRequest(id, prompt, maxTokens, null, null, null, List.of(), List.of());
    }
}
