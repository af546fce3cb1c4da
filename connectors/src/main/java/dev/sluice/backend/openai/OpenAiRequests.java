package dev.sluice.backend.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.GenerationRequest;

/**
 * The JSON body of one request: a chat completion where the request is a conversation (the server applies the
 * model's chat template), a text completion where it is a plain prompt. Always streamed, with the usage in a last
 * chunk ({@code stream_options.include_usage}), so the time to the first token is measured and the counts are the
 * server's; {@code n} is left at its default of one.
 */
final class OpenAiRequests {

    private OpenAiRequests() {}

    /** The path the request goes to. */
    static String path(GenerationRequest request) {
        return request.messages().isEmpty() ? "/v1/completions" : "/v1/chat/completions";
    }

    static ObjectNode body(GenerationRequest request, String model, OpenAiOptions options) {
        OpenAiServer server = options.server();
        ObjectNode body = OpenAiJson.MAPPER.createObjectNode().put("model", model);
        if (request.messages().isEmpty()) {
            body.put("prompt", request.prompt());
        } else {
            ArrayNode messages = body.putArray("messages");
            for (ChatTurn turn : request.messages()) {
                messages.addObject().put("role", turn.role()).put("content", turn.content());
            }
        }
        body.put("max_tokens", request.maxTokens());
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (request.seed() != null) {
            body.put("seed", request.seed());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            request.stop().forEach(stop::add);
        }
        if (request.constraint() != null) {
            body.set("response_format", server.responseFormat(request.constraint()));
        }
        if (options.sendPriority()) {
            body.put("priority", server.priority(request.interactive()));
        }
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return body;
    }
}
