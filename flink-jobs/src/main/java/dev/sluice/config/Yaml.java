package dev.sluice.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.stream.Collectors;

/**
 * Sluice's YAML files: kebab-case keys, ISO-8601 durations, case-insensitive enum values, unknown keys refused.
 * Errors name the source, the key's path and the line.
 */
public final class Yaml {

    private static final ObjectMapper MAPPER = JsonMapper.builder(new YAMLFactory())
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .build();

    private static final PropertyNamingStrategies.NamingBase KEBAB =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.KEBAB_CASE;

    private Yaml() {}

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as YAML", e);
        }
    }

    public static <T> T read(String text, String source, Class<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (IOException e) {
            throw failure(source, e);
        }
    }

    /** Binds a tree from {@link #tree} (edited, perhaps) as {@link #read} binds text, without line numbers. */
    public static <T> T read(JsonNode tree, String source, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (IOException e) {
            throw failure(source, e);
        }
    }

    /** The document as a tree; an empty document is an empty mapping. */
    public static JsonNode tree(String text, String source) {
        try {
            JsonNode tree = MAPPER.readTree(text);
            return tree == null || tree.isMissingNode() || tree.isNull() ? MAPPER.createObjectNode() : tree;
        } catch (IOException e) {
            throw failure(source, e);
        }
    }

    /** {@code node} as a value of {@code type}, with Sluice's rules (ISO-8601 durations, for instance). */
    static Object convert(JsonNode node, Type type) {
        return MAPPER.convertValue(node, MAPPER.constructType(type));
    }

    /** Translates a record component's name into its key. */
    static String key(String componentName) {
        return KEBAB.translate(componentName);
    }

    private static IllegalArgumentException failure(String source, IOException e) {
        if (e instanceof JsonMappingException mapping) {
            String key = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String line = mapping.getLocation() == null ? "" : " (near line " + mapping.getLocation().getLineNr() + ")";
            Throwable cause = e.getCause() instanceof RuntimeException ? e.getCause() : e;
            String message = cause == e ? mapping.getOriginalMessage() : cause.getMessage();
            return new IllegalArgumentException(source + ": " + (key.isEmpty() ? "" : key + ": ") + message + line, e);
        }
        return new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
}
