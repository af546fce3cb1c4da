package dev.sluice.bulk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.intake.PromptValidator;
import dev.sluice.schema.ChatMessage;
import dev.sluice.serde.JsonAvro;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads JSON Lines, a line at a time: per line a {@code custom_id} and a {@code text} or {@code messages}, or an
 * OpenAI Batch API request whose {@code body} holds the {@code messages}; {@code max_tokens} at the top or in the
 * body. What is kept from one line to the next is the ids seen, to find one used twice.
 */
final class JsonlItems {

    private static final String ID = "custom_id";

    private JsonlItems() {}

    /** Calls {@code each} with the items of the lines without problems; returns how many. */
    static int read(Path file, Problems problems, Consumer<BulkItem> each) {
        int items = 0;
        try (InputStream in = Files.newInputStream(file)) {
            Utf8Lines lines = new Utf8Lines(in);
            for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
                if (!line.isUtf8()) {
                    problems.at(line.number(), Problem.INVALID_UTF8, "not valid UTF-8 (byte " + line.badByte()
                            + " of the file)");
                } else if (!line.text().isBlank()) {
                    BulkItem item = item(line.text(), items, line.number(), problems);
                    if (item != null) {
                        each.accept(item);
                        items++;
                    }
                }
            }
        } catch (NoSuchFileException e) {
            problems.add(Problem.of(Problem.UNREADABLE_INPUT, file + " does not exist"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return items;
    }

    /** The line's item, or null when it has problems, which are added. */
    private static BulkItem item(String line, int index, int number, Problems problems) {
        JsonNode node;
        try {
            node = JsonAvro.mapper().readTree(line);
        } catch (JsonProcessingException e) {
            String column = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            problems.at(number, Problem.INVALID_JSON, "not valid JSON" + column + ": " + e.getOriginalMessage());
            return null;
        }
        if (!node.isObject()) {
            problems.at(number, Problem.INVALID_JSON, "expected a JSON object");
            return null;
        }
        int before = problems.count();
        String customId = customId(node, number, problems);
        JsonNode body = field(node, "body");
        if (body != null && !body.isObject()) {
            problems.at(number, Problem.INVALID_BODY, "body must be an object");
            return null;
        }
        if (body != null && (field(node, "text") != null || field(node, "messages") != null)) {
            problems.at(number, Problem.INVALID_BODY, "give text or messages at the top or a body, not both");
            return null;
        }
        Integer maxTokens = maxTokens(node, body, number, problems);
        JsonNode text = body != null ? null : field(node, "text");
        JsonNode messages = field(body != null ? body : node, "messages");
        String textValue = null;
        List<ChatMessage> conversation = null;
        if (body != null && messages == null) {
            problems.at(number, Problem.INVALID_MESSAGES, "body.messages is missing");
        } else if ((text == null) == (messages == null)) {
            problems.at(number, Problem.INVALID_ITEM, "set exactly one of text and messages");
        } else if (text != null) {
            textValue = text(text, number, problems);
        } else {
            conversation = messages(messages, number, (body != null ? "body." : "") + "messages", problems);
        }
        if (problems.count() > before) {
            return null;
        }
        return new BulkItem(index, customId, textValue, conversation, maxTokens);
    }

    private static String customId(JsonNode node, int number, Problems problems) {
        JsonNode id = field(node, ID);
        if (id == null) {
            problems.at(number, Problem.MISSING_CUSTOM_ID, ID + " is missing");
        } else if (!id.isTextual() || id.textValue().isBlank()) {
            problems.at(number, Problem.INVALID_CUSTOM_ID, ID + " must be a non-blank string");
        } else {
            Integer first = problems.earlierUse(id.textValue(), number);
            if (first != null) {
                problems.at(number, Problem.DUPLICATE_CUSTOM_ID, ID + " '" + id.textValue() + "' is also on line "
                        + first);
            }
            return id.textValue();
        }
        return null;
    }

    private static String text(JsonNode text, int number, Problems problems) {
        if (!text.isTextual() || text.textValue().isBlank()) {
            problems.at(number, Problem.INVALID_TEXT, "text must be a non-blank string");
            return null;
        }
        return text.textValue();
    }

    private static List<ChatMessage> messages(JsonNode messages, int number, String field, Problems problems) {
        if (!messages.isArray() || messages.isEmpty()) {
            problems.at(number, Problem.INVALID_MESSAGES, field + " must be a non-empty array");
            return null;
        }
        List<ChatMessage> conversation = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                problems.at(number, Problem.INVALID_MESSAGES, field + "[" + i + "] must be an object with a role and a "
                        + "content");
                continue;
            }
            JsonNode role = message.get("role");
            JsonNode content = message.get("content");
            if (role == null || !role.isTextual() || !PromptValidator.ROLES.contains(role.textValue())) {
                problems.at(number, Problem.INVALID_MESSAGES, field + "[" + i + "].role must be one of "
                        + PromptValidator.ROLES);
            } else if (content == null || !content.isTextual()) {
                problems.at(number, Problem.INVALID_MESSAGES, field + "[" + i + "].content must be a string");
            } else {
                conversation.add(new ChatMessage(role.textValue(), content.textValue()));
            }
        }
        return conversation;
    }

    /** OpenAI's newer name for it, {@code max_completion_tokens}, is read in a body too. */
    private static Integer maxTokens(JsonNode node, JsonNode body, int number, Problems problems) {
        Map<String, JsonNode> given = new LinkedHashMap<>();
        given.put("max_tokens", field(node, "max_tokens"));
        if (body != null) {
            given.put("body.max_tokens", field(body, "max_tokens"));
            given.put("body.max_completion_tokens", field(body, "max_completion_tokens"));
        }
        given.values().removeIf(Objects::isNull);
        if (given.size() > 1) {
            problems.at(number, Problem.INVALID_MAX_TOKENS, "give one of " + String.join(" and ", given.keySet()));
            return null;
        }
        if (given.isEmpty()) {
            return null;
        }
        Map.Entry<String, JsonNode> entry = given.entrySet().iterator().next();
        JsonNode value = entry.getValue();
        if (!(value.isIntegralNumber() && value.canConvertToInt() && value.intValue() > 0)) {
            problems.at(number, Problem.INVALID_MAX_TOKENS, entry.getKey() + " must be a positive integer, got "
                    + value);
            return null;
        }
        return value.intValue();
    }

    /** A field's value; an explicit null counts as absent. */
    private static JsonNode field(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }
}
