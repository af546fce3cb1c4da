package dev.sluice.prompt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.ChatTurn;
import dev.sluice.intake.JsonSchemaText;
import dev.sluice.schema.ToolDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * The system turn that shows a model a request's tools: their definitions as JSON, as chat templates list them, and
 * the one form of answer the request's schema ({@code ToolSchema}) allows. Sluice sends a prompt or a conversation,
 * never a template's {@code tools} argument, so the definitions travel in the conversation itself; the guided
 * decoding the server applies keeps the answer to a declared call whatever the model makes of the turn.
 */
final class ToolTurn {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String INSTRUCTION = "Answer with one call of one of these tools and nothing else: a JSON "
            + "object {\"name\": the tool's name, \"arguments\": an object valid against the tool's parameters}.\n"
            + "Tools: ";

    private ToolTurn() {}

    /**
     * {@code messages} led by the tools' turn: merged into the conversation's own system message where it opens
     * with one, as templates take a single system message first.
     */
    static List<ChatTurn> leading(List<ToolDefinition> tools, List<ChatTurn> messages) {
        String turn = INSTRUCTION + definitions(tools);
        List<ChatTurn> led = new ArrayList<>(messages.size() + 1);
        if (!messages.isEmpty() && messages.get(0).role().equals("system")) {
            led.add(new ChatTurn("system", messages.get(0).content() + "\n\n" + turn));
            led.addAll(messages.subList(1, messages.size()));
        } else {
            led.add(new ChatTurn("system", turn));
            led.addAll(messages);
        }
        return led;
    }

    /** The tools as a compact JSON array of {@code {name, description, parameters}}; intake parsed each already. */
    private static String definitions(List<ToolDefinition> tools) {
        ArrayNode array = MAPPER.createArrayNode();
        for (ToolDefinition tool : tools) {
            ObjectNode definition = array.addObject().put("name", tool.getName());
            if (tool.getDescription() != null) {
                definition.put("description", tool.getDescription());
            }
            definition.set("parameters", JsonSchemaText.parse(tool.getParameters()));
        }
        return array.toString();
    }
}
