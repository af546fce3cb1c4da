package dev.sluice.prompt;

import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.TokenEstimate;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.ToolDefinition;
import java.util.List;

/**
 * Turns a request into what a backend needs: the conversation itself, for backends that apply the model's chat
 * template, and a plain rendering for text-in, text-out models ({@code role: content} lines ending with
 * {@code assistant:}). A request's tools are shown to the model in a system turn ({@link ToolTurn}), so the prompt
 * the server reads, and the context routing counts, hold them.
 */
public final class PromptText {

    private PromptText() {}

    public static GenerationRequest toGeneration(PromptRequest request, int defaultMaxTokens) {
        return withoutConstraint(request, defaultMaxTokens).withConstraint(
                OutputConstraint.of(request.getStructure()));
    }

    private static GenerationRequest withoutConstraint(PromptRequest request, int defaultMaxTokens) {
        GenerationParams params = request.getParams();
        List<ChatTurn> messages = conversation(request);
        if (params == null) {
            return new GenerationRequest(request.getRequestId(), render(request), defaultMaxTokens, null, null, null,
                    List.of(), messages);
        }
        return new GenerationRequest(
                request.getRequestId(),
                render(request),
                params.getMaxTokens() == null ? defaultMaxTokens : params.getMaxTokens(),
                params.getTemperature(),
                params.getTopP(),
                params.getSeed(),
                params.getStop(),
                messages);
    }

    /**
     * Tokens the request needs in a model's context: its rendered prompt, estimated without a tokenizer (about four
     * UTF-8 bytes a token, see {@code TokenEstimate}), plus the tokens it may generate.
     */
    public static int contextNeeded(PromptRequest request, int defaultMaxTokens) {
        GenerationParams params = request.getParams();
        int maxTokens = params == null || params.getMaxTokens() == null ? defaultMaxTokens : params.getMaxTokens();
        return TokenEstimate.of(render(request)) + maxTokens;
    }

    public static String render(PromptRequest request) {
        List<ChatTurn> conversation = conversation(request);
        if (conversation.isEmpty()) {
            return request.getPrompt();
        }
        StringBuilder text = new StringBuilder();
        for (ChatTurn turn : conversation) {
            text.append(turn.role()).append(": ").append(turn.content()).append('\n');
        }
        return text.append("assistant:").toString();
    }

    /**
     * The request's messages, with its tools' turn leading them; empty for a plain prompt without tools, which goes
     * to the model as it is. With tools, a plain prompt becomes the user's turn after the tools'.
     */
    private static List<ChatTurn> conversation(PromptRequest request) {
        List<ToolDefinition> tools = request.getStructure() == null ? List.of() : request.getStructure().getTools();
        List<ChatTurn> messages = request.getPrompt() != null
                ? (tools.isEmpty() ? List.of() : List.of(new ChatTurn("user", request.getPrompt())))
                : request.getMessages().stream().map(m -> new ChatTurn(m.getRole(), m.getContent())).toList();
        return tools.isEmpty() ? messages : ToolTurn.leading(tools, messages);
    }
}
