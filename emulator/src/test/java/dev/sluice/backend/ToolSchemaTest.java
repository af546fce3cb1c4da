package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.emulator.SchemaExample;
import dev.sluice.intake.JsonSchemaText;
import dev.sluice.schema.OutputStructure;
import dev.sluice.schema.ToolDefinition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link ToolSchema}. */
class ToolSchemaTest {

    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12);
    private static final List<ToolDefinition> TOOLS = List.of(
            new ToolDefinition("get_weather", "today's weather in a city",
                    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"),
            new ToolDefinition("add", null, "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},"
                    + "\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}"));

    @Test
    void toolsBecomeAJsonSchemaConstraint() {
        OutputConstraint constraint = OutputConstraint.of(OutputStructure.newBuilder().setTools(TOOLS).build());

        assertThat(constraint.kind()).isEqualTo(OutputConstraint.Kind.JSON_SCHEMA);
        assertThat(constraint.text()).isEqualTo(ToolSchema.of(TOOLS));
    }

    /** The emulator honours tools as it honours any schema: its answer is a call of the first tool. */
    @Test
    void theEmulatorsExampleIsACallOfADeclaredTool() {
        String schema = ToolSchema.of(TOOLS);
        JsonNode example = SchemaExample.of(JsonSchemaText.parse(schema));

        assertThat(VALIDATORS.getSchema(schema).validate(example)).as("%s", example).isEmpty();
        assertThat(example.get("name").asText()).isEqualTo("get_weather");
        assertThat(example.get("arguments").has("city")).isTrue();
    }

    @Test
    void aCallOfAnUndeclaredToolOrWithWrongArgumentsIsInvalid() {
        Schema validator = VALIDATORS.getSchema(ToolSchema.of(TOOLS));

        assertThat(validator.validate(JsonSchemaText.parse("{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}")))
                .isEmpty();
        assertThat(validator.validate(JsonSchemaText.parse("{\"name\":\"sub\",\"arguments\":{\"a\":1,\"b\":2}}")))
                .isNotEmpty();
        assertThat(validator.validate(JsonSchemaText.parse("{\"name\":\"add\",\"arguments\":{\"a\":1}}")))
                .isNotEmpty();
    }
}
