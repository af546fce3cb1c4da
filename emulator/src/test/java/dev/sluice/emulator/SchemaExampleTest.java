package dev.sluice.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.intake.JsonSchemaText;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Tests for {@link SchemaExample}: what it makes is valid against its schema, by an independent validator. */
class SchemaExampleTest {

    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12);

    static Stream<String> schemas() {
        return Stream.of(
                "{}",
                "{\"type\": \"string\"}",
                "{\"type\": \"integer\", \"minimum\": 3, \"maximum\": 9}",
                "{\"type\": \"integer\", \"exclusiveMinimum\": 0}",
                "{\"type\": \"number\", \"minimum\": 0.5, \"exclusiveMaximum\": 0.75}",
                "{\"type\": [\"null\", \"boolean\"]}",
                "{\"enum\": [\"red\", \"green\"]}",
                "{\"const\": {\"version\": 2}}",
                "{\"type\": \"string\", \"minLength\": 40, \"maxLength\": 41}",
                "{\"type\": \"string\", \"maxLength\": 3}",
                "{\"type\": \"string\", \"format\": \"email\"}",
                "{\"type\": \"array\", \"items\": {\"type\": \"integer\"}, \"minItems\": 3, \"maxItems\": 3}",
                "{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": \"string\"}]}",
                """
                {"type": "object",
                 "properties": {
                   "customer": {"type": "string", "minLength": 1},
                   "placed": {"type": "string", "format": "date"},
                   "items": {"type": "array", "minItems": 1, "items": {
                     "type": "object", "required": ["sku", "quantity"], "additionalProperties": false,
                     "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}}},
                   "gift": {"type": "boolean"},
                   "channel": {"enum": ["web", "store"]}},
                 "required": ["customer", "items", "note"]}""",
                """
                {"$defs": {"address": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}},
                 "type": "object", "properties": {"ship_to": {"$ref": "#/$defs/address"}}, "required": ["ship_to"]}""",
                """
                {"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
                 "$ref": "#/$defs/node"}""");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void whatItMakesIsValidAgainstTheSchema(String text) {
        JsonNode schema = JsonSchemaText.parse(text);
        Schema validator = VALIDATORS.getSchema(text);

        JsonNode example = SchemaExample.of(schema);

        assertThat(validator.validate(example)).as("%s for %s", example, text).isEmpty();
    }

    @Test
    void itIsDeterministicAndNamesStringsAfterTheirProperty() {
        JsonNode schema = JsonSchemaText.parse("{\"type\": \"object\", \"properties\": {\"city\": {\"type\": "
                + "\"string\"}}}");

        assertThat(SchemaExample.of(schema).toString()).isEqualTo("{\"city\":\"example city\"}")
                .isEqualTo(SchemaExample.of(schema).toString());
    }

    /** A schema that requires its own recursion has no finite valid value: it ends in null at the depth bound. */
    @Test
    void requiredRecursionStopsAtTheDepthBound() {
        JsonNode schema = JsonSchemaText.parse("{\"$defs\": {\"n\": {\"type\": \"object\", \"required\": [\"next\"], "
                + "\"properties\": {\"next\": {\"$ref\": \"#/$defs/n\"}}}}, \"$ref\": \"#/$defs/n\"}");

        String example = SchemaExample.of(schema).toString();

        assertThat(example).contains("null");
        assertThat(example.chars().filter(c -> c == '{').count()).isLessThanOrEqualTo(SchemaExample.MAX_DEPTH);
    }

    /** A small schema can ask for a huge value; the emulator refuses it rather than build it. */
    @Test
    void aSchemaAskingForTooManyValuesIsRefused() {
        String level = "{\"type\": \"array\", \"minItems\": 16, \"items\": %s}";
        String schema = "{\"type\": \"integer\"}";
        for (int i = 0; i < 6; i++) {
            schema = level.formatted(schema);
        }
        JsonNode deep = JsonSchemaText.parse(schema);
        JsonNode longString = JsonSchemaText.parse("{\"type\": \"string\", \"minLength\": 2000000000}");

        assertThatThrownBy(() -> SchemaExample.of(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than " + SchemaExample.MAX_VALUES + " values");
        assertThat(SchemaExample.of(longString).textValue()).hasSize(SchemaExample.MAX_STRING);
    }
}
