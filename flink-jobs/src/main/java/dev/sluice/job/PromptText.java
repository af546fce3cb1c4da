package dev.sluice.job;

import dev.sluice.backend.GenerationRequest;
import dev.sluice.schema.ChatMessage;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;

/**
 * Turns a request into the text a text-in, text-out model receives. Chat turns are written as
 * {@code role: content} lines ending with {@code assistant:}; model-specific chat templates belong to the
 * tokenizer-aware backends.
 */
final class PromptText {

    private PromptText() {}

    static GenerationRequest toGeneration(PromptRequest request, int defaultMaxTokens) {
        GenerationParams params = request.getParams();
        if (params == null) {
            return GenerationRequest.of(request.getRequestId(), render(request), defaultMaxTokens);
        }
        return new GenerationRequest(
                request.getRequestId(),
                render(request),
                params.getMaxTokens() == null ? defaultMaxTokens : params.getMaxTokens(),
                params.getTemperature(),
                params.getTopP(),
                params.getSeed(),
                params.getStop());
    }

    static String render(PromptRequest request) {
        if (request.getPrompt() != null) {
            return request.getPrompt();
        }
        StringBuilder text = new StringBuilder();
        for (ChatMessage message : request.getMessages()) {
            text.append(message.getRole()).append(": ").append(message.getContent()).append('\n');
        }
        return text.append("assistant:").toString();
    }
}
