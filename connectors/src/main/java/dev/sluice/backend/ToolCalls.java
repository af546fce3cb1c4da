package dev.sluice.backend;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.intake.JsonSchemaText;
import dev.sluice.schema.ToolCall;
import dev.sluice.schema.ToolDefinition;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The call a completion's text makes of one of its request's tools ({@link ToolSchema}'s form), read back as
 * OpenAI's {@code tool_calls} carry it. The text is the server's: it is parsed within bounds, and a text that is not
 * one call of a declared tool yields no call rather than a guess. That the arguments fit the tool's parameters is
 * what the server's guided decoding guarantees; the job does not compile producers' schemas to check it again.
 */
public final class ToolCalls {

    /** A call wraps the arguments in two levels, and the arguments are as deep as their schema allows. */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(JsonSchemaText.MAX_NESTING_DEPTH + 2).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    /** Hex digits of the call id's hash: 48 bits, as unlikely to repeat within a conversation as OpenAI's ids. */
    private static final int ID_HEX_DIGITS = 12;

    private ToolCalls() {}

    /** The call {@code text} makes of one of {@code tools}, or none; none when the request declared no tools. */
    public static List<ToolCall> of(String requestId, List<ToolDefinition> tools, String text) {
        if (tools.isEmpty() || text == null) {
            return List.of();
        }
        JsonNode call;
        try {
            call = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return List.of();
        }
        if (call == null || !call.isObject() || call.size() != 2 || !call.path("name").isTextual()
                || !call.path("arguments").isObject()) {
            return List.of();
        }
        String name = call.get("name").asText();
        if (tools.stream().noneMatch(tool -> tool.getName().equals(name))) {
            return List.of();
        }
        return List.of(new ToolCall(id(requestId), name, call.get("arguments").toString()));
    }

    /** {@code call_} and a hash of the request id, so a retried request's call keeps its id. */
    static String id(String requestId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(requestId.getBytes(StandardCharsets.UTF_8));
            return "call_" + HexFormat.of().formatHex(digest).substring(0, ID_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
