package dev.sluice.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code /v1/chat/completions} or {@code /v1/completions} request, checked as the servers check it. Sampling
 * fields ({@code temperature}, {@code top_p}, {@code seed}) are validated and otherwise without effect: the
 * emulated text is deterministic.
 *
 * @param kind which route
 * @param prompt the text the model reads: a chat rendered with the model's chat template
 * @param maxTokens the most tokens to generate
 * @param stop stop strings, possibly none
 * @param stream whether to answer with server-sent events
 * @param includeUsage whether a stream ends with a usage chunk
 * @param jsonSchema the schema the answer must be valid against, or null
 * @param priority vLLM's and SGLang's scheduling priority, or null when not sent or not in the dialect
 */
record CompletionRequest(Kind kind, String prompt, int maxTokens, List<String> stop, boolean stream,
        boolean includeUsage, String jsonSchema, Integer priority) {

    /** The two completion routes, with their object names. */
    enum Kind {
        CHAT("chat.completion", "chat.completion.chunk", "chatcmpl-", Integer.MAX_VALUE),
        // The legacy route's max_tokens defaults to 16 (OpenAI; SGLang's protocol.py, sglang-protocol.md 6).
        TEXT("text_completion", "text_completion", "cmpl-", 16);

        final String object;
        final String chunkObject;
        final String idPrefix;
        /** Without max_tokens a chat runs until the model stops; the emulated text is short and always does. */
        final int defaultMaxTokens;

        Kind(String object, String chunkObject, String idPrefix, int defaultMaxTokens) {
            this.object = object;
            this.chunkObject = chunkObject;
            this.idPrefix = idPrefix;
            this.defaultMaxTokens = defaultMaxTokens;
        }
    }

    /**
     * Reads {@code body} for the model {@code served}.
     *
     * @throws ApiError when the server would refuse it
     */
    static CompletionRequest parse(Kind kind, JsonNode body, String served, Traits dialect,
            ModelTokenizer tokenizer) {
        if (!body.isObject()) {
            throw ApiError.badRequest("the body must be a JSON object", null);
        }
        String model = text(body, "model");
        if (!model.equals(served)) {
            throw ApiError.modelNotFound(model);
        }
        if (body.has("n") && body.path("n").asInt(-1) != 1) {
            throw ApiError.badRequest("only n = 1 is supported", "n");
        }
        checkRange(body, "temperature", 0, 2, true);
        checkRange(body, "top_p", 0, 1, false);
        if (body.has("seed") && !body.path("seed").isIntegralNumber()) {
            throw ApiError.badRequest("seed must be an integer", "seed");
        }
        boolean stream = body.path("stream").asBoolean(false);
        JsonNode options = body.path("stream_options");
        boolean includeUsage = stream && options.isObject()
                && options.path("include_usage").asBoolean(dialect.usageWithStreamOptions());
        return new CompletionRequest(kind,
                kind == Kind.CHAT ? chatPrompt(body.path("messages"), tokenizer) : textPrompt(body.path("prompt")),
                maxTokens(body, kind), stops(body.path("stop")), stream, includeUsage,
                dialect.responseFormat().schemaText(body.path("response_format")),
                dialect.takesPriority() ? priority(body.path("priority")) : null);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw ApiError.badRequest(field + " is required", field);
        }
        return value.asText();
    }

    private static void checkRange(JsonNode body, String field, double low, double high, boolean lowIncluded) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return;
        }
        double number = value.asDouble(Double.NaN);
        if (!value.isNumber() || number > high || number < low || (!lowIncluded && number == low)) {
            throw ApiError.badRequest(field + " must be in " + (lowIncluded ? "[" : "(") + low + ", " + high + "]",
                    field);
        }
    }

    /** {@code max_completion_tokens}, OpenAI's newer name, wins over {@code max_tokens}. */
    private static int maxTokens(JsonNode body, Kind kind) {
        String field = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return kind.defaultMaxTokens;
        }
        if (!value.isIntegralNumber() || value.asInt() < 1) {
            throw ApiError.badRequest(field + " must be a positive integer", field);
        }
        return value.asInt();
    }

    private static List<String> stops(JsonNode stop) {
        if (stop.isMissingNode() || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        List<String> stops = new ArrayList<>();
        for (JsonNode item : stop.isArray() ? stop : List.of(stop)) {
            if (!item.isTextual()) {
                throw ApiError.badRequest("stop must be a string or an array of strings", "stop");
            }
            stops.add(item.asText());
        }
        return List.copyOf(stops);
    }

    private static Integer priority(JsonNode priority) {
        if (priority.isMissingNode() || priority.isNull()) {
            return null;
        }
        if (!priority.isIntegralNumber()) {
            throw ApiError.badRequest("priority must be an integer", "priority");
        }
        return priority.asInt();
    }

    /** The conversation through the model's chat template, as the servers render it before tokenizing. */
    private static String chatPrompt(JsonNode messages, ModelTokenizer tokenizer) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("messages must be a non-empty array", "messages");
        }
        List<ChatTurn> turns = new ArrayList<>();
        for (JsonNode message : messages) {
            turns.add(new ChatTurn(text(message, "role"), content(message.path("content"))));
        }
        return tokenizer.applyChatTemplate(turns);
    }

    /** A message's content: a string, or OpenAI's array of parts, of which the text parts are read. */
    private static String content(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw ApiError.badRequest("a message's content must be a string or an array of parts", "messages");
        }
        StringBuilder text = new StringBuilder();
        content.forEach(part -> text.append(part.path("text").asText("")));
        return text.toString();
    }

    private static String textPrompt(JsonNode prompt) {
        JsonNode only = prompt.isArray() && prompt.size() == 1 ? prompt.get(0) : prompt;
        if (!only.isTextual() || only.asText().isEmpty()) {
            throw ApiError.badRequest("prompt must be one non-empty string", "prompt");
        }
        return only.asText();
    }
}
