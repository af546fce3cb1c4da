package dev.sluice.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.serde.SchemaIds;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.OptionalInt;
import org.apache.avro.Schema;

/**
 * A client of a schema registry's Confluent-compatible REST API (Confluent Schema Registry, Apicurio Registry at
 * {@code /apis/ccompat/v7}, Karapace, Redpanda) for Avro schemas: it registers or looks up a writer's schema to get
 * the id that {@link dev.sluice.serde.RegistryFraming} puts before each record, and fetches a reader's writer schema by that id.
 *
 * <p>Usage:
 * <pre>{@code
 * SchemaRegistryClient registry = new SchemaRegistryClient(
 *         RegistrySettings.builder("http://registry:8081").basicAuth("user:secret").build());
 * // writing: registers on first use (or only looks up, if auto-register is off), then answers from its cache
 * byte[] framed = RegistryFraming.frame(registry.idFor("sluice.prompts", false, PromptRequest.getClassSchema()), body);
 * // reading: fetched once per id
 * Schema writer = registry.schemaById(RegistryFraming.schemaId(framed).orElseThrow());
 * }</pre>
 *
 * <p>Thread-safe. Serializable as its settings alone, so a Flink function can hold one in a field: each copy
 * starts with empty caches and builds its HTTP client on its first request. A registry never changes what an id
 * means, so the caches are only bounded, never invalidated. Two threads that miss the same entry at once both ask
 * the registry; registering is idempotent, so both get the same id.
 *
 * <p>Answers are not trusted: each is read up to a cap, parsed strictly, its id checked, and its schema held to
 * {@link RegistrySettings#maxSchemaBytes()} and parsed by Avro inside a try. Any failure is a
 * {@link RegistryException}. Only Avro schemas without references are supported: a registry's Protobuf or JSON
 * Schema, or a schema that imports others, is refused with a message saying so.
 */
public final class SchemaRegistryClient implements SchemaIds {

    private static final long serialVersionUID = 1L;
    /** A JSON string escape turns one byte of the schema into at most six of the answer: a control character. */
    private static final int ESCAPED_BYTES_PER_BYTE = 6;
    /** Room in an answer for what surrounds the schema, e.g. the subject and version in a lookup's. */
    private static final int ANSWER_SLACK_BYTES = 16 * 1024;

    private final RegistrySettings settings;
    private final transient RegistryHttp http;
    private final transient LruCache<Integer, Schema> schemasById;
    private final transient LruCache<SubjectSchema, Integer> idsBySubjectSchema;

    public SchemaRegistryClient(RegistrySettings settings) {
        this.settings = settings;
        this.http = new RegistryHttp(settings,
                ESCAPED_BYTES_PER_BYTE * settings.maxSchemaBytes() + ANSWER_SLACK_BYTES);
        this.schemasById = new LruCache<>(settings.cacheSize());
        this.idsBySubjectSchema = new LruCache<>(settings.cacheSize());
    }

    /**
     * The id to frame records of {@code schema} written to {@code topic} with: the subject comes from the settings'
     * {@link SubjectNameStrategy}, and the schema is {@link #register registered} under it, or with auto-register
     * off only {@link #lookup looked up}.
     *
     * @throws RegistryException when the registry fails, or with auto-register off does not have the schema
     */
    public int idFor(String topic, boolean isKey, Schema schema) {
        String subject = settings.subjectNameStrategy().subject(topic, isKey, schema);
        if (settings.autoRegister()) {
            return register(subject, schema);
        }
        return lookup(subject, schema).orElseThrow(() -> RegistryException.invalid("schema " + schema.getFullName()
                + " is not registered under subject '" + subject + "', and auto-register is off", -1, null));
    }

    /**
     * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}) and returns its id;
     * the registry answers an already registered schema with its existing id. Asked once per subject and schema,
     * then answered from the cache.
     *
     * @throws RegistryException when the registry refuses, e.g. HTTP 409 for a schema incompatible with the
     *     subject's earlier versions, or 422 (error_code 42201) for an invalid one
     */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = http.post("/subjects/" + pathSegment(subject) + "/versions", schemaBody(schema));
        return remember(key, id(answer, "registering under subject '" + subject + "'"));
    }

    /**
     * The id of {@code schema} under {@code subject} ({@code POST /subjects/{subject}}), without registering it;
     * empty when the registry has no such subject, or not this schema in it.
     *
     * @throws RegistryException when the registry fails otherwise
     */
    public OptionalInt lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return OptionalInt.of(cached);
        }
        JsonNode answer;
        try {
            answer = http.post("/subjects/" + pathSegment(subject), schemaBody(schema));
        } catch (RegistryException e) {
            if (e.isNotFound()) {
                return OptionalInt.empty();
            }
            throw e;
        }
        return OptionalInt.of(remember(key, id(answer, "looking up under subject '" + subject + "'")));
    }

    /**
     * The schema the registry holds as {@code id} ({@code GET /schemas/ids/{id}}); asked once per id, then answered
     * from the cache.
     *
     * @throws RegistryException when the registry has no such id (HTTP 404, error_code 40403), fails, or answers
     *     with something other than an Avro schema within {@link RegistrySettings#maxSchemaBytes()} that parses
     */
    @Override
    public Schema schemaById(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("a schema id is 0 or more: " + id);
        }
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = parse(id, http.get("/schemas/ids/" + id));
        schemasById.put(id, schema);
        return schema;
    }

    private Schema parse(int id, JsonNode answer) {
        String what = "schema " + id + " from the registry";
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.toUpperCase(Locale.ROOT).equals("AVRO")) {
            throw RegistryException.invalid(what + " is " + RegistryHttp.oneLine(type) + ", not Avro", 200, null);
        }
        if (answer.path("references").size() > 0) {
            throw RegistryException.invalid(what + " imports other schemas (references), which this client does"
                    + " not resolve", 200, null);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw RegistryException.invalid(what + ": the answer has no schema text", 200, null);
        }
        int bytes = text.textValue().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > settings.maxSchemaBytes()) {
            throw RegistryException.invalid(what + " has " + bytes + " bytes, more than the "
                    + settings.maxSchemaBytes() + " allowed", 200, null);
        }
        try {
            return new Schema.Parser().parse(text.textValue());
        } catch (RuntimeException e) {
            // Avro 1.12 throws SchemaParseException for most bad schemas, but AvroTypeException for a bad default,
            // AvroRuntimeException for a negative fixed size and NullPointerException for an unknown type name: any
            // unchecked exception means "does not parse". Jackson bounds the nesting (1000 levels), so the
            // parser's recursion cannot exhaust the stack.
            throw RegistryException.invalid(what + " does not parse: " + RegistryHttp.oneLine(String.valueOf(
                    e.getMessage())), 200, e);
        }
    }

    private int remember(SubjectSchema key, int id) {
        idsBySubjectSchema.put(key, id);
        // The registry has just said what this id means: a reader in this process need not ask again.
        schemasById.put(id, key.schema());
        return id;
    }

    private static int id(JsonNode answer, String what) {
        JsonNode id = answer.get("id");
        if (id == null || !id.isInt() || id.intValue() < 0) {
            throw RegistryException.invalid("the registry's answer to " + what + " has no valid id: "
                    + RegistryHttp.oneLine(answer.toString()), 200, null);
        }
        return id.intValue();
    }

    /** {@code {"schema": "<the schema's JSON>"}}; no {@code schemaType}, which means AVRO. */
    private static JsonNode schemaBody(Schema schema) {
        return JsonNodeFactory.instance.objectNode().put("schema", schema.toString());
    }

    /**
     * The subject as one path segment. URLEncoder writes form encoding, whose {@code +} for a space would be a
     * literal plus in a path; {@code .} and {@code ..} would be read as path steps, so they are refused.
     */
    private static String pathSegment(String subject) {
        if (subject.isEmpty() || subject.equals(".") || subject.equals("..")) {
            throw new IllegalArgumentException("not a usable subject: '" + subject + "'");
        }
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A fresh client, caches empty and no HTTP client yet, where this one is deserialized. */
    private Object readResolve() {
        return new SchemaRegistryClient(settings);
    }

    /** A cache key: the same schema may have different ids under different subjects in some registries. */
    private record SubjectSchema(String subject, Schema schema) {}
}
