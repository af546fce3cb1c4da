package dev.sluice.emulator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;

/**
 * Where a server reads the JSON schema of a {@code response_format}: the answer must be valid against it. Every
 * placement takes {@code {"type":"text"}} (or no format) as free text.
 */
enum SchemaPlacement {

    /** OpenAI's: {@code {"type":"json_schema","json_schema":{"name","schema","strict"}}} or {@code json_object}. */
    OPENAI(Set.of("text", "json_object", "json_schema")) {
        @Override
        JsonNode schema(String type, JsonNode format) {
            return switch (type) {
                case "json_schema" -> required(format.path("json_schema").path("schema"), "json_schema.schema");
                case "json_object" -> ANY_OBJECT;
                default -> null;
            };
        }
    },
    /**
     * llama.cpp's: {@code {"type":"json_object"|"json_schema","schema":{...}}} with the schema at the top level;
     * OpenAI's nesting is taken too, since clients written for OpenAI send it.
     */
    TOP_LEVEL(Set.of("text", "json_object", "json_schema")) {
        @Override
        JsonNode schema(String type, JsonNode format) {
            if (!type.equals("json_schema") && !type.equals("json_object")) {
                return null;
            }
            if (format.path("schema").isObject()) {
                return format.path("schema");
            }
            JsonNode nested = format.path("json_schema").path("schema");
            return nested.isObject() ? nested : ANY_OBJECT;
        }
    },
    /**
     * TGI's tagged grammar: {@code {"type":"json"|"json_object"|"json_schema","value":...}}; a {@code regex} is
     * accepted and not followed. For {@code json_schema} the value may be {@code {"name","schema"}}.
     */
    TGI_VALUE(Set.of("json", "json_object", "json_schema", "regex")) {
        @Override
        JsonNode schema(String type, JsonNode format) {
            return switch (type) {
                case "json", "json_object" -> required(format.path("value"), "value");
                case "json_schema" -> {
                    JsonNode value = required(format.path("value"), "value");
                    yield value.path("schema").isObject() ? value.path("schema") : value;
                }
                default -> null;
            };
        }
    };

    /** {@code json_object} without a schema: any JSON object. */
    private static final JsonNode ANY_OBJECT = new ObjectMapper().createObjectNode().put("type", "object");

    private final Set<String> types;

    SchemaPlacement(Set<String> types) {
        this.types = types;
    }

    /** The schema the answer must follow, or null for free text. */
    final String schemaText(JsonNode format) {
        if (format.isMissingNode() || format.isNull()) {
            return null;
        }
        String type = format.path("type").asText("");
        if (!types.contains(type)) {
            throw ApiError.badRequest("response_format type '" + type + "' is not supported", "response_format");
        }
        JsonNode schema = schema(type, format);
        return schema == null ? null : schema.toString();
    }

    abstract JsonNode schema(String type, JsonNode format);

    private static JsonNode required(JsonNode node, String name) {
        if (!node.isObject()) {
            throw ApiError.badRequest("response_format." + name + " must be a JSON schema object", "response_format");
        }
        return node;
    }
}
