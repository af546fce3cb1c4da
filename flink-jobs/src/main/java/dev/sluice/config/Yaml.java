package dev.sluice.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
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
        } catch (JsonMappingException e) {
            String key = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String line = e.getLocation() == null ? "" : " (near line " + e.getLocation().getLineNr() + ")";
            Throwable cause = e.getCause() instanceof RuntimeException ? e.getCause() : e;
            String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new IllegalArgumentException(source + ": " + (key.isEmpty() ? "" : key + ": ") + message + line, e);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }
}
