package dev.sluice.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.intake.JsonSchemaText;
import dev.sluice.schema.ToolDefinition;
import java.util.List;

/**
 * The JSON schema a request's tools become, as vLLM guides {@code tool_choice: "required"}: the completion is one call
 * {@code {"name": N, "arguments": {...}}}, a {@code oneOf} with one branch per tool whose {@code name} is that tool's
 * ({@code const}) and whose {@code arguments} are valid against its parameters. Guided decoding then honours tools on
 * every server that honours a JSON schema, in its own form.
 */
public final class ToolSchema {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ToolSchema() {}

    /** The schema's text; intake has checked that each tool's parameters are a JSON object. */
    public static String of(List<ToolDefinition> tools) {
        ObjectNode schema = MAPPER.createObjectNode();
        ArrayNode branches = schema.putArray("oneOf");
        for (ToolDefinition tool : tools) {
            ObjectNode branch = branches.addObject().put("type", "object");
            ObjectNode properties = branch.putObject("properties");
            properties.putObject("name").put("const", tool.getName());
            properties.set("arguments", JsonSchemaText.parse(tool.getParameters()));
            branch.putArray("required").add("name").add("arguments");
            branch.put("additionalProperties", false);
        }
        return schema.toString();
    }
}
