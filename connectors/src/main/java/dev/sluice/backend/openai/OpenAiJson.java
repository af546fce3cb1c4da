package dev.sluice.backend.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Optional;

/**
 * JSON from an OpenAI-compatible server, parsed within bounds: the text is the server's. A chunk or answer nests a
 * few levels; the caps on its size are the readers' ({@link dev.sluice.backend.BoundedLines}).
 */
final class OpenAiJson {

    /** Levels of nesting: an answer needs about six. */
    private static final int MAX_NESTING_DEPTH = 32;

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .build())
            .build();

    private OpenAiJson() {}

    /** {@code text} as JSON, or empty when it is not JSON within the bounds. */
    static Optional<JsonNode> tryParse(String text) {
        try {
            return Optional.ofNullable(MAPPER.readTree(text));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
