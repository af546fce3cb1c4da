package dev.sluice.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schema.ChatMessage;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.JsonAvro;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;

/** Valid prompt requests drawn from a seeded random, and the JSON slots a mutation can break. */
final class RandomPrompts {

    private static final String[] TENANTS = {"acme", "globex", "initech", "テナント"};
    private static final String[] TEXT = {"hello", "翻訳してください", "tab\there", "line\nbreak", "emoji 😀", "x"};
    private static final String[] ROLES = {"system", "user", "assistant", "tool"};

    private final Random random;
    private final IntakeLimits limits;

    RandomPrompts(Random random, IntakeLimits limits) {
        this.random = random;
        this.limits = limits;
    }

    PromptRequest request(String tenant) {
        Task task = Task.values()[random.nextInt(Task.values().length)];
        PromptRequest.Builder builder = PromptRequest.newBuilder()
                .setRequestId("r-" + Long.toHexString(random.nextLong()))
                .setTenant(tenant)
                .setTask(task)
                .setPriority(random.nextBoolean() ? Priority.INTERACTIVE : Priority.BATCH);
        if (random.nextBoolean()) {
            builder.setPrompt(text());
        } else {
            List<ChatMessage> messages = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                messages.add(new ChatMessage(ROLES[random.nextInt(ROLES.length)], text()));
            }
            builder.setMessages(messages);
        }
        if (task == Task.TRANSLATE || random.nextInt(4) == 0) {
            builder.setTargetLanguage("ja");
        }
        if (random.nextBoolean()) {
            builder.setParams(GenerationParams.newBuilder()
                    .setMaxTokens(1 + random.nextInt(limits.maxTokensCeiling()))
                    .setTemperature(random.nextFloat() * 2)
                    .setTopP(1f - random.nextFloat() * 0.99f)
                    .setStop(random.nextBoolean() ? List.of("\n") : List.of())
                    .build());
        }
        return builder.build();
    }

    String tenant() {
        return TENANTS[random.nextInt(TENANTS.length)];
    }

    private String text() {
        StringBuilder text = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            text.append(TEXT[random.nextInt(TEXT.length)]).append(' ');
        }
        return text.append(random.nextInt(1000)).toString();
    }

    /**
     * A place in a JSON request that holds a value of {@code schema}.
     *
     * @param parent the object holding the value
     * @param field the value's key in {@code parent}
     * @param schema the value's schema, unions resolved to their non-null branch
     * @param required whether the field has no default
     */
    record Slot(ObjectNode parent, String field, Schema schema, boolean required) {}

    /** Every field of {@code node} that holds a value, nested records and array items included. */
    static List<Slot> slots(ObjectNode node, Schema schema) {
        List<Slot> slots = new ArrayList<>();
        collect(node, schema, slots);
        return slots;
    }

    private static void collect(ObjectNode node, Schema schema, List<Slot> slots) {
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = node.get(field.name());
            if (value == null || value.isNull()) {
                continue;
            }
            Schema type = nonNull(field.schema());
            slots.add(new Slot(node, field.name(), type, !field.hasDefaultValue()));
            if (type.getType() == Schema.Type.RECORD) {
                collect((ObjectNode) value, type, slots);
            } else if (type.getType() == Schema.Type.ARRAY && type.getElementType().getType() == Schema.Type.RECORD) {
                value.forEach(item -> collect((ObjectNode) item, type.getElementType(), slots));
            }
        }
    }

    /** A JSON value no conversion to {@code schema} accepts. */
    JsonNode wrongType(Schema schema) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        List<JsonNode> wrong = switch (schema.getType()) {
            case STRING, ENUM -> List.of(json.numberNode(42), json.booleanNode(true), json.arrayNode(),
                    json.objectNode());
            case INT -> List.of(json.textNode("7"), json.numberNode(1.5), json.numberNode(1L << 32),
                    json.booleanNode(false), json.objectNode());
            case LONG -> List.of(json.textNode("7"), json.numberNode(2.5), json.arrayNode(), json.booleanNode(true));
            case FLOAT, DOUBLE -> List.of(json.textNode("0.5"), json.booleanNode(true), json.arrayNode());
            case RECORD -> List.of(json.arrayNode(), json.textNode("{}"), json.numberNode(3));
            case ARRAY -> List.of(json.objectNode(), json.textNode("[]"), json.numberNode(0));
            default -> throw new IllegalArgumentException("no wrong value for " + schema.getType());
        };
        return wrong.get(random.nextInt(wrong.size()));
    }

    static ObjectNode json(PromptRequest request) {
        return JsonAvro.toJson(request);
    }

    static ArrayNode array(List<ObjectNode> items) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        items.forEach(array::add);
        return array;
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        return schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }
}
