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
 */
public record GenerationRequest(
        String id, String prompt, int maxTokens, Float temperature, Float topP, Long seed, List<String> stop,
        List<ChatTurn> messages) {

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        messages = messages == null ? List.of() : List.copyOf(messages);
    }

    /** A request with only a prompt and a token limit. */
    public static GenerationRequest of(String id, String prompt, int maxTokens) {
        return new GenerationRequest(id, prompt, maxTokens, null, null, null, List.of(), List.of());
    }
}
