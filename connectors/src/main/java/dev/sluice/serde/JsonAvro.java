package dev.sluice.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Plain JSON, with the Avro schema's field names, to and from Avro specific records. Unlike Avro's own JSON
 * encoding, unions are not wrapped ({@code "prompt": "hi"}, not {@code {"string": "hi"}}), enum symbols match
 * case-insensitively, absent fields take their defaults, and unknown fields are ignored as a schema-evolving
 * reader would.
 */
public final class JsonAvro {

    /**
     * A record value is one JSON value: content after it is an error, not ignored. A key given twice is an error
     * too, rather than the last one winning: a proxy that read the first {@code tenant} must not see another.
     */
    private static final ObjectMapper MAPPER = mapper(StreamReadConstraints.defaults());

    private JsonAvro() {}

    /** A JSON value that does not fit the schema; {@code path} names the field. */
    public static final class MismatchException extends RuntimeException {
        private final boolean badEnumSymbol;

        MismatchException(String path, String message, boolean badEnumSymbol) {
            super("field '" + path + "': " + message, null, false, false);
            this.badEnumSymbol = badEnumSymbol;
        }

        /** The value had the right type but named no symbol of the enum. */
        public boolean isBadEnumSymbol() {
            return badEnumSymbol;
        }
    }

    /** Converts a JSON object into the specific record class of {@code schema}. */
    @SuppressWarnings("unchecked")
    public static <T> T fromJson(JsonNode node, Schema schema) {
        return (T) convert(node, schema, schema.getName());
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A mapper as strict as {@link #mapper()} that also refuses input beyond {@code limits} while it parses. */
    public static ObjectMapper mapper(StreamReadConstraints limits) {
        return JsonMapper.builder(JsonFactory.builder().streamReadConstraints(limits).build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    private static Object convert(JsonNode node, Schema schema, String path) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!node.isObject()) {
                    throw mismatch(path, "expected an object", node);
                }
                IndexedRecord record = (IndexedRecord) SpecificData.get().newRecord(null, schema);
                for (Schema.Field field : schema.getFields()) {
                    JsonNode value = node.get(field.name());
                    String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
                    if (value == null || value.isNull()) {
                        record.put(field.pos(), absent(field, fieldPath));
                    } else {
                        record.put(field.pos(), convert(value, field.schema(), fieldPath));
                    }
                }
                return record;
            }
            case UNION -> {
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return convert(node, branch, path);
                    }
                }
                throw mismatch(path, "expected null", node);
            }
            case STRING -> {
                if (!node.isTextual()) {
                    throw mismatch(path, "expected a string", node);
                }
                return node.textValue();
            }
            case INT -> {
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw mismatch(path, "expected a 32-bit integer", node);
                }
                return node.intValue();
            }
            case LONG -> {
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw mismatch(path, "expected a 64-bit integer", node);
                }
                return node.longValue();
            }
            case FLOAT -> {
                if (!node.isNumber()) {
                    throw mismatch(path, "expected a number", node);
                }
                return node.floatValue();
            }
            case DOUBLE -> {
                if (!node.isNumber()) {
                    throw mismatch(path, "expected a number", node);
                }
                return node.doubleValue();
            }
            case BOOLEAN -> {
                if (!node.isBoolean()) {
                    throw mismatch(path, "expected true or false", node);
                }
                return node.booleanValue();
            }
            case ENUM -> {
                if (!node.isTextual()) {
                    throw mismatch(path, "expected one of " + schema.getEnumSymbols(), node);
                }
                String symbol = node.textValue().toUpperCase(Locale.ROOT);
                if (!schema.getEnumSymbols().contains(symbol)) {
                    throw new MismatchException(path, "unknown value '" + node.textValue() + "', expected one of "
                            + schema.getEnumSymbols(), true);
                }
                return SpecificData.get().createEnum(symbol, schema);
            }
            case ARRAY -> {
                if (!node.isArray()) {
                    throw mismatch(path, "expected an array", node);
                }
                List<Object> items = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    items.add(convert(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return items;
            }
            case BYTES -> {
                if (!node.isTextual()) {
                    throw mismatch(path, "expected base64 text", node);
                }
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(node.textValue()));
                } catch (IllegalArgumentException e) {
                    throw mismatch(path, "expected base64 text", node);
                }
            }
            default -> throw new MismatchException(path, "unsupported schema type " + schema.getType(), false);
        }
    }

    private static Object absent(Schema.Field field, String path) {
        if (field.hasDefaultValue()) {
            return SpecificData.get().deepCopy(field.schema(), SpecificData.get().getDefaultValue(field));
        }
        throw new MismatchException(path, "is required", false);
    }

    private static MismatchException mismatch(String path, String expected, JsonNode actual) {
        String shown = actual.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "…";
        }
        return new MismatchException(path, expected + ", got " + shown, false);
    }

    /** Writes an Avro record as plain JSON with the schema's field names. */
    public static ObjectNode toJson(IndexedRecord record) {
        return (ObjectNode) write(record, record.getSchema());
    }

    private static JsonNode write(Object value, Schema schema) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (value == null) {
            return json.nullNode();
        }
        return switch (schema.getType()) {
            case RECORD -> {
                ObjectNode object = json.objectNode();
                IndexedRecord record = (IndexedRecord) value;
                for (Schema.Field field : schema.getFields()) {
                    object.set(field.name(), write(record.get(field.pos()), field.schema()));
                }
                yield object;
            }
            case UNION -> write(value, schema.getTypes().get(SpecificData.get().resolveUnion(schema, value)));
            case ARRAY -> {
                ArrayNode array = json.arrayNode();
                for (Object item : (Iterable<?>) value) {
                    array.add(write(item, schema.getElementType()));
                }
                yield array;
            }
            case MAP -> {
                ObjectNode object = json.objectNode();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    object.set(entry.getKey().toString(), write(entry.getValue(), schema.getValueType()));
                }
                yield object;
            }
            case ENUM, STRING -> json.textNode(value.toString());
            case BYTES -> {
                ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                yield json.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case INT -> json.numberNode((Integer) value);
            case LONG -> json.numberNode((Long) value);
            case FLOAT -> json.numberNode((Float) value);
            case DOUBLE -> json.numberNode((Double) value);
            case BOOLEAN -> json.booleanNode((Boolean) value);
            default -> json.textNode(String.valueOf(value));
        };
    }
}
