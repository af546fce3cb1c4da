package dev.sluice.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request's {@code structure.json_schema}, read as a JSON object within bounds: it comes from the producer, and
 * intake, the emulator and the demo's verdict all parse it. Its length is capped before it gets here
 * ({@link FieldCaps#STRUCTURE_CHARS}); nesting is capped here, since Jackson's default (1,000 levels) is far more
 * than any schema needs and each level costs a stack frame in every walk over it.
 */
public final class JsonSchemaText {

    /** Levels of nested objects and arrays; real schemas need fewer than ten. */
    public static final int MAX_NESTING_DEPTH = 32;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(FieldCaps.STRUCTURE_CHARS)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonSchemaText() {}

    /**
     * The schema as a JSON object.
     *
     * @throws IllegalArgumentException naming what is wrong when it is not one JSON object within the bounds
     */
    public static ObjectNode parse(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), null);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a JSON Schema is a JSON object");
        }
        return (ObjectNode) node;
    }
}
