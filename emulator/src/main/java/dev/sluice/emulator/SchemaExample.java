package dev.sluice.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The emulator's answer to a JSON schema: one small JSON value valid against it, as a server's guided decoding
 * would produce, deterministic so tests can assert on it.
 *
 * <p>It follows {@code type} (the first of a list), {@code const}, {@code enum}, {@code properties} (all of them, at
 * most {@value #MAX_PROPERTIES}), {@code required}, {@code items} with {@code minItems}/{@code maxItems},
 * {@code minimum}/{@code maximum} (and their exclusive forms), {@code minLength}/{@code maxLength}, the common
 * string {@code format}s, {@code anyOf}/{@code oneOf}/{@code allOf} (the first branch) and local {@code $ref}s
 * ({@code #/$defs/...}, {@code #/definitions/...}). Other keywords ({@code pattern}, {@code multipleOf},
 * {@code uniqueItems}, {@code not}, conditionals) get the simplest value of the type, which may not satisfy
 * them. Depth is bounded: optional properties stop at {@value #OPTIONAL_DEPTH} levels, and a schema that requires
 * its own recursion ends in {@code null} at {@value #MAX_DEPTH}, where no finite value is valid anyway.
 */
public final class SchemaExample {

    /** Levels of nested values generated; deeper schemas end in null. */
    static final int MAX_DEPTH = 16;
    /**
     * Levels at which properties the schema does not require are still generated: past them a recursive schema's
     * optional links are left out, so it ends in a valid object well before {@link #MAX_DEPTH}.
     */
    static final int OPTIONAL_DEPTH = MAX_DEPTH / 2;
    /** Properties generated per object, and items per array at most. */
    static final int MAX_PROPERTIES = 64;
    static final int MAX_ITEMS = 16;
    /** Characters of one generated string at most, whatever {@code minLength} asks. */
    static final int MAX_STRING = 1_024;
    /**
     * Values generated in all: nesting multiplies items and properties, so a small schema could otherwise ask for
     * billions. A schema that needs more is refused, as a server refuses a schema it cannot compile.
     */
    static final int MAX_VALUES = 10_000;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final JsonNode root;
    private int values;

    private SchemaExample(JsonNode root) {
        this.root = root;
    }

    /**
     * A value valid against {@code schema} within the limits above.
     *
     * @throws IllegalArgumentException when the value would take more than {@value #MAX_VALUES} values
     */
    public static JsonNode of(JsonNode schema) {
        return new SchemaExample(schema).value(schema, "value", 0);
    }

    private JsonNode value(JsonNode schema, String name, int depth) {
        if (++values > MAX_VALUES) {
            throw new IllegalArgumentException("the schema asks for more than " + MAX_VALUES + " values");
        }
        if (depth >= MAX_DEPTH || schema == null || !schema.isObject()) {
            return depth >= MAX_DEPTH ? JSON.nullNode() : JSON.objectNode();
        }
        if (schema.has("$ref")) {
            return value(resolve(schema.get("$ref").asText()), name, depth + 1);
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        if (schema.has("enum") && schema.get("enum").size() > 0) {
            return schema.get("enum").get(0);
        }
        for (String branches : new String[] {"anyOf", "oneOf", "allOf"}) {
            if (schema.path(branches).size() > 0 && !schema.has("type")) {
                return value(schema.get(branches).get(0), name, depth + 1);
            }
        }
        return switch (type(schema)) {
            case "object" -> object(schema, depth);
            case "array" -> array(schema, name, depth);
            case "string" -> JSON.textNode(string(schema, name));
            case "integer" -> JSON.numberNode(number(schema).setScale(0, RoundingMode.CEILING).toBigInteger());
            case "number" -> JSON.numberNode(number(schema));
            case "boolean" -> JSON.booleanNode(true);
            case "null" -> JSON.nullNode();
            default -> JSON.objectNode();
        };
    }

    /** The declared type, the first non-null one of a list, or the one its keywords imply. */
    private static String type(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual()) {
            return type.asText();
        }
        if (type != null && type.isArray()) {
            for (JsonNode each : type) {
                if (!each.asText().equals("null")) {
                    return each.asText();
                }
            }
            return "null";
        }
        if (schema.has("properties") || schema.has("required")) {
            return "object";
        }
        return schema.has("items") ? "array" : "any";
    }

    private ObjectNode object(JsonNode schema, int depth) {
        ObjectNode object = JSON.objectNode();
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(name -> required.add(name.asText()));
        Iterator<Map.Entry<String, JsonNode>> fields = schema.path("properties").fields();
        while (fields.hasNext() && object.size() < MAX_PROPERTIES) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (depth < OPTIONAL_DEPTH || required.contains(field.getKey())) {
                object.set(field.getKey(), value(field.getValue(), field.getKey(), depth + 1));
            }
        }
        // A required property the schema does not describe may hold anything.
        for (String name : required) {
            if (!object.has(name)) {
                object.set(name, JSON.nullNode());
            }
        }
        return object;
    }

    private ArrayNode array(JsonNode schema, String name, int depth) {
        int count = Math.max(1, schema.path("minItems").asInt(0));
        if (schema.has("maxItems")) {
            count = Math.min(count, schema.get("maxItems").asInt());
        }
        ArrayNode array = JSON.arrayNode();
        for (int i = 0; i < Math.min(count, MAX_ITEMS); i++) {
            array.add(value(schema.get("items"), name, depth + 1));
        }
        return array;
    }

    /** The name of the value, or a format's example, stretched or cut to the length bounds. */
    private static String string(JsonNode schema, String name) {
        String text = switch (schema.path("format").asText()) {
            case "date" -> "2024-04-01";
            case "date-time" -> "2024-04-01T09:30:00Z";
            case "time" -> "09:30:00Z";
            case "email" -> "someone@example.com";
            case "uri", "url" -> "https://example.com/";
            case "uuid" -> "123e4567-e89b-42d3-a456-426614174000";
            default -> "example " + name;
        };
        int min = Math.min(schema.path("minLength").asInt(0), MAX_STRING);
        int max = schema.has("maxLength") ? schema.get("maxLength").asInt() : Integer.MAX_VALUE;
        if (text.length() < min) {
            text = text + "x".repeat(min - text.length());
        }
        return text.length() > max ? text.substring(0, Math.max(0, max)) : text;
    }

    /** The lowest number the bounds allow, 1 above an exclusive minimum; 0 when unbounded below, if allowed. */
    private static BigDecimal number(JsonNode schema) {
        BigDecimal value = BigDecimal.ZERO;
        if (schema.has("minimum")) {
            value = schema.get("minimum").decimalValue();
        }
        if (schema.path("exclusiveMinimum").isNumber()) {
            value = value.max(schema.get("exclusiveMinimum").decimalValue().add(BigDecimal.ONE));
        }
        if (schema.has("maximum")) {
            value = value.min(schema.get("maximum").decimalValue());
        }
        if (schema.path("exclusiveMaximum").isNumber()
                && value.compareTo(schema.get("exclusiveMaximum").decimalValue()) >= 0) {
            value = schema.get("exclusiveMaximum").decimalValue().subtract(BigDecimal.ONE);
        }
        return value;
    }

    /** A local reference's schema, or an empty one (anything goes) for any other. */
    private JsonNode resolve(String ref) {
        if (!ref.startsWith("#")) {
            return JSON.objectNode();
        }
        try {
            JsonNode target = root.at(ref.substring(1));
            return target.isMissingNode() ? JSON.objectNode() : target;
        } catch (IllegalArgumentException notAPointer) {
            return JSON.objectNode();
        }
    }
}
