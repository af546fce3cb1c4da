package dev.sluice.demo;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.intake.JsonSchemaText;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether a completion's text is JSON valid against the schema its request asked for, checked by an independent
 * validator (networknt json-schema-validator, JSON Schema 2020-12) rather than by what produced it.
 */
final class SchemaConformance {

    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12);
    /** One JSON value and nothing after it: text around the JSON fails, as it would fail a downstream parser. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    /** Violations a problem names at most. */
    private static final int NAMED = 3;

    private SchemaConformance() {}

    /** What is wrong with {@code text} against {@code jsonSchema}; empty when it is valid. */
    static Optional<String> problem(String jsonSchema, String text) {
        JsonNode value;
        try {
            value = JSON.readTree(text);
        } catch (JacksonException e) {
            return Optional.of("not JSON: " + e.getOriginalMessage());
        }
        List<Error> errors = VALIDATORS.getSchema(JsonSchemaText.parse(jsonSchema).toString()).validate(value);
        return errors.isEmpty() ? Optional.empty() : Optional.of(errors.stream().limit(NAMED).map(Error::toString)
                .collect(Collectors.joining("; ")));
    }
}
