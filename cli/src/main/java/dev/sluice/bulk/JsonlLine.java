package dev.sluice.bulk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bulk.BulkItem.Sampling;
import dev.sluice.intake.PromptValidator;
import dev.sluice.schema.ChatMessage;
import dev.sluice.serde.JsonAvro;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One line of JSON Lines input as an item: Sluice's own, a {@code custom_id} and a {@code text} or
 * {@code messages}; or an OpenAI Batch API request, a {@code custom_id}, {@code method} POST, a {@code url} and the
 * {@code body} of a request to it, {@code messages} for {@link BulkInput#CHAT_COMPLETIONS} and a {@code prompt} (a
 * text item) for {@link BulkInput#COMPLETIONS}. A body without a url holds messages. {@code max_tokens} may be at the
 * top or in the body; a body's {@code model} is the item's preferred model, its {@code temperature}, {@code top_p},
 * {@code seed} and {@code stop} the item's sampling.
 */
final class JsonlLine {

    private static final String ID = "custom_id";

    private final int number;
    private final Problems problems;

    private JsonlLine(int number, Problems problems) {
        this.number = number;
        this.problems = problems;
    }

    /**
     * The item of line {@code number}, or null when it has problems, which are added.
     *
     * @param endpoint the url every line must name, or null for any of the two or none
     */
    static BulkItem item(String line, int index, int number, String endpoint, Problems problems) {
        return new JsonlLine(number, problems).item(line, index, endpoint);
    }

    private BulkItem item(String line, int index, String endpoint) {
        JsonNode node;
        try {
            node = JsonAvro.mapper().readTree(line);
        } catch (JsonProcessingException e) {
            String column = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            problem(Problem.INVALID_JSON, "not valid JSON" + column + ": " + e.getOriginalMessage());
            return null;
        }
        if (!node.isObject()) {
            problem(Problem.INVALID_JSON, "expected a JSON object");
            return null;
        }
        int before = problems.count();
        String customId = customId(node);
        int beforeUrl = problems.count();
        String url = url(node, endpoint);
        if (problems.count() > beforeUrl) {
            // A request by another method or to another endpoint has no body this line can be read by.
            return null;
        }
        JsonNode body = field(node, "body");
        if (body != null && !body.isObject()) {
            problem(Problem.INVALID_BODY, "body must be an object");
            return null;
        }
        if (body == null && url != null) {
            problem(Problem.INVALID_BODY, "body is missing: a line with a url is a request, its body what it asks");
            return null;
        }
        if (body != null && (field(node, "text") != null || field(node, "messages") != null)) {
            problem(Problem.INVALID_BODY, "give text or messages at the top or a body, not both");
            return null;
        }
        Integer maxTokens = maxTokens(node, body);
        String model = body == null ? null : model(body);
        Sampling sampling = body == null ? Sampling.DEFAULT : sampling(body);
        String text = null;
        List<ChatMessage> conversation = null;
        if (body == null) {
            JsonNode textNode = field(node, "text");
            JsonNode messages = field(node, "messages");
            if ((textNode == null) == (messages == null)) {
                problem(Problem.INVALID_ITEM, "set exactly one of text and messages");
            } else if (textNode != null) {
                text = text(textNode, "text");
            } else {
                conversation = messages(messages, "messages");
            }
        } else if (BulkInput.COMPLETIONS.equals(url)) {
            JsonNode prompt = field(body, "prompt");
            if (prompt == null) {
                problem(Problem.INVALID_TEXT, "body.prompt is missing");
            } else {
                text = text(prompt, "body.prompt");
            }
        } else {
            JsonNode messages = field(body, "messages");
            if (messages == null) {
                problem(Problem.INVALID_MESSAGES, "body.messages is missing");
            } else {
                conversation = messages(messages, "body.messages");
            }
        }
        if (problems.count() > before) {
            return null;
        }
        return new BulkItem(index, customId, text, conversation, maxTokens, model, sampling);
    }

    private String customId(JsonNode node) {
        JsonNode id = field(node, ID);
        if (id == null) {
            problem(Problem.MISSING_CUSTOM_ID, ID + " is missing");
        } else if (!id.isTextual() || id.textValue().isBlank()) {
            problem(Problem.INVALID_CUSTOM_ID, ID + " must be a non-blank string");
        } else {
            Integer first = problems.earlierUse(id.textValue(), number);
            if (first != null) {
                problem(Problem.DUPLICATE_CUSTOM_ID, ID + " '" + id.textValue() + "' is also on line " + first);
            }
            return id.textValue();
        }
        return null;
    }

    /**
     * The line's url, checked with its method; null when it names none. As OpenAI's Batch API fails a batch whose
     * lines name another endpoint than the batch's, a line must name {@code endpoint} when that is set.
     */
    private String url(JsonNode node, String endpoint) {
        JsonNode method = field(node, "method");
        if (method != null && !(method.isTextual() && method.textValue().equals("POST"))) {
            problem(Problem.INVALID_METHOD, "method must be POST");
        }
        JsonNode url = field(node, "url");
        if (url == null) {
            if (endpoint != null) {
                problem(Problem.INVALID_URL, "url is missing; this batch's endpoint is " + endpoint);
            }
            return null;
        }
        if (!url.isTextual() || !BulkInput.ENDPOINTS.contains(url.textValue())) {
            problem(Problem.INVALID_URL, "url must be one of " + String.join(", ", BulkInput.ENDPOINTS));
            return null;
        }
        if (endpoint != null && !endpoint.equals(url.textValue())) {
            problem(Problem.INVALID_URL, "url " + url.textValue() + " is not this batch's endpoint, " + endpoint);
            return null;
        }
        return url.textValue();
    }

    private String text(JsonNode text, String field) {
        if (!text.isTextual() || text.textValue().isBlank()) {
            problem(Problem.INVALID_TEXT, field + " must be a non-blank string");
            return null;
        }
        return text.textValue();
    }

    private List<ChatMessage> messages(JsonNode messages, String field) {
        if (!messages.isArray() || messages.isEmpty()) {
            problem(Problem.INVALID_MESSAGES, field + " must be a non-empty array");
            return null;
        }
        List<ChatMessage> conversation = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                problem(Problem.INVALID_MESSAGES, field + "[" + i + "] must be an object with a role and a content");
                continue;
            }
            JsonNode role = message.get("role");
            JsonNode content = message.get("content");
            if (role == null || !role.isTextual() || !PromptValidator.ROLES.contains(role.textValue())) {
                problem(Problem.INVALID_MESSAGES, field + "[" + i + "].role must be one of " + PromptValidator.ROLES);
            } else if (content == null || !content.isTextual()) {
                problem(Problem.INVALID_MESSAGES, field + "[" + i + "].content must be a string");
            } else {
                conversation.add(new ChatMessage(role.textValue(), content.textValue()));
            }
        }
        return conversation;
    }

    /** OpenAI's newer name for it, {@code max_completion_tokens}, is read in a body too. */
    private Integer maxTokens(JsonNode node, JsonNode body) {
        Map<String, JsonNode> given = new LinkedHashMap<>();
        given.put("max_tokens", field(node, "max_tokens"));
        if (body != null) {
            given.put("body.max_tokens", field(body, "max_tokens"));
            given.put("body.max_completion_tokens", field(body, "max_completion_tokens"));
        }
        given.values().removeIf(Objects::isNull);
        if (given.size() > 1) {
            problem(Problem.INVALID_MAX_TOKENS, "give one of " + String.join(" and ", given.keySet()));
            return null;
        }
        if (given.isEmpty()) {
            return null;
        }
        Map.Entry<String, JsonNode> entry = given.entrySet().iterator().next();
        JsonNode value = entry.getValue();
        if (!(value.isIntegralNumber() && value.canConvertToInt() && value.intValue() > 0)) {
            problem(Problem.INVALID_MAX_TOKENS, entry.getKey() + " must be a positive integer, got " + value);
            return null;
        }
        return value.intValue();
    }

    private String model(JsonNode body) {
        JsonNode model = field(body, "model");
        if (model != null && (!model.isTextual() || model.textValue().isBlank())) {
            problem(Problem.INVALID_MODEL, "body.model must be a non-blank string");
            return null;
        }
        return model == null ? null : model.textValue();
    }

    /** Types only: a value out of range is the intake's to reject, for that request alone, as OpenAI fails it. */
    private Sampling sampling(JsonNode body) {
        return new Sampling(decimal(body, "temperature"), decimal(body, "top_p"), seed(body), stop(body));
    }

    private Float decimal(JsonNode body, String name) {
        JsonNode value = field(body, name);
        if (value != null && !value.isNumber()) {
            problem(Problem.INVALID_PARAMETER, "body." + name + " must be a number");
            return null;
        }
        return value == null ? null : value.floatValue();
    }

    private Long seed(JsonNode body) {
        JsonNode value = field(body, "seed");
        if (value != null && !(value.isIntegralNumber() && value.canConvertToLong())) {
            problem(Problem.INVALID_PARAMETER, "body.seed must be an integer");
            return null;
        }
        return value == null ? null : value.longValue();
    }

    /** OpenAI takes one stop sequence as a string, more as an array. */
    private List<String> stop(JsonNode body) {
        JsonNode value = field(body, "stop");
        if (value == null) {
            return List.of();
        }
        if (value.isTextual()) {
            return List.of(value.textValue());
        }
        List<String> stops = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(stop -> stops.add(stop.isTextual() ? stop.textValue() : null));
        }
        if (!value.isArray() || stops.contains(null)) {
            problem(Problem.INVALID_PARAMETER, "body.stop must be a string or an array of strings");
            return List.of();
        }
        return stops;
    }

    private void problem(String code, String message) {
        problems.at(number, code, message);
    }

    /** A field's value; an explicit null counts as absent. */
    private static JsonNode field(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }
}
