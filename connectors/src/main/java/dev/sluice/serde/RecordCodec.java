package dev.sluice.serde;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * One record type in both of Sluice's wire formats: Avro single-object encoding and plain JSON with the schema's
 * field names. Decoding tells the two apart by the single-object marker, and resolves an Avro record written with
 * any published version of the schema ({@link WriterSchemas}) to the current one.
 *
 * <p>Decoding trusts nothing in the bytes: a record above the size cap is refused before it is parsed; Avro is read
 * with {@link BoundedDecoder}, so no length prefix can claim more than the record holds; JSON is parsed with
 * Jackson's read constraints on nesting depth, number, name, string and document length. Whatever fails is an
 * {@link UnreadableRecordException}.
 */
public final class RecordCodec<T extends SpecificRecordBase> implements Serializable {

    /**
     * Kafka's own default for the largest record (the broker's {@code message.max.bytes} and the producer's
     * {@code max.request.size} are both about 1 MiB): a larger one was not written by a Sluice producer as shipped.
     */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;
    /** Sluice's records nest objects and arrays a few levels deep; deeper JSON only costs the parser. */
    static final int MAX_JSON_DEPTH = 32;
    /**
     * A long takes at most 20 characters and a double's shortest form 24; beyond this Jackson would convert
     * thousands of digits to a BigInteger or BigDecimal, which costs quadratic time.
     */
    static final int MAX_JSON_NUMBER_LENGTH = 64;
    /** Sluice's field names are short; an unknown field is ignored, so a long one can only waste memory. */
    static final int MAX_JSON_NAME_LENGTH = 256;

    private final String schemaJson;
    private final int maxRecordBytes;
    private final int writerVersion;
    private final SchemaIds registry;
    private transient Schema schema;
    private transient WriterSchemas writers;
    private transient VersionedWriter<T> writer;
    private transient long writerFingerprint;
    private transient ObjectMapper json;

    /** Decodes records of up to {@link #DEFAULT_MAX_RECORD_BYTES} and writes the current schema. */
    public RecordCodec(Schema schema) {
        this(schema, DEFAULT_MAX_RECORD_BYTES, 0);
    }

    /** Decodes records of up to {@code maxRecordBytes} and writes the current schema. */
    public RecordCodec(Schema schema, int maxRecordBytes) {
        this(schema, maxRecordBytes, 0);
    }

    /**
     * Decodes records of up to {@code maxRecordBytes} written with any published version of {@code schema}, and
     * writes Avro in version {@code writerVersion} of it ({@link SchemaHistory}; 0 for the current one). An earlier
     * version is refused when it cannot hold what the current schema holds (an enum symbol added since, without a
     * default to stand in for it).
     */
    public RecordCodec(Schema schema, int maxRecordBytes, int writerVersion) {
        this(schema, maxRecordBytes, writerVersion, null);
    }

    /**
     * As {@link #RecordCodec(Schema, int, int)}, also reading records in a schema registry's framing, with the
     * writer schema {@code registry} holds for their id; null for none.
     */
    public RecordCodec(Schema schema, int maxRecordBytes, int writerVersion, SchemaIds registry) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.schemaJson = schema.toString();
        this.maxRecordBytes = maxRecordBytes;
        this.writerVersion = writerVersion;
        this.registry = registry;
        this.schema = schema;
        writer();
        writers();
    }

    public byte[] encode(T record, boolean json) {
        if (json) {
            return JsonAvro.toJson(record).toString().getBytes(StandardCharsets.UTF_8);
        }
        // The body first: after deserialization it is what sets up the writer, and with it the fingerprint.
        byte[] body = encodeBody(record);
        return SingleObjectEncoding.frame(writerFingerprint, body);
    }

    /** The schema Avro is written in: the current one or the pinned earlier version. */
    public Schema writerSchema() {
        return writer().schema();
    }

    /** {@code record} as bare Avro binary in {@link #writerSchema()}, for another framing than single-object's. */
    public byte[] encodeBody(T record) {
        return writer().body(record);
    }

    /** Decodes either format; throws {@link UnreadableRecordException} on anything else. */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new UnreadableRecordException("no value");
        }
        if (bytes.length > maxRecordBytes) {
            throw new UnreadableRecordException("record of " + bytes.length + " bytes exceeds the limit of "
                    + maxRecordBytes);
        }
        if (RegistryFraming.isFramed(bytes)) {
            return decodeFramed(bytes);
        }
        return SingleObjectEncoding.hasMarker(bytes) ? decodeAvro(bytes) : decodeJson(bytes);
    }

    /**
     * A record in a registry's framing, written with a published version of the schema: what Sluice's own
     * {@code kafka.output-format: registry} writes. A registry that cannot answer throws its own exception.
     */
    private T decodeFramed(byte[] bytes) {
        Schema reader = schema();
        OptionalInt id = RegistryFraming.schemaId(bytes);
        if (id.isEmpty()) {
            throw new UnreadableRecordException("schema registry framing (magic byte 0) without a whole schema id");
        }
        if (registry == null) {
            throw new UnreadableRecordException("a schema registry's framing (schema id " + id.getAsInt()
                    + "), but no schema registry is configured");
        }
        Schema writer = registry.schemaById(id.getAsInt());
        WriterSchemas.Resolution resolution = writers().resolve(SchemaNormalization.parsingFingerprint64(writer))
                .orElseThrow(() -> new UnreadableRecordException("schema id " + id.getAsInt() + " ("
                        + writer.getFullName() + ") is no published version of " + reader.getName()));
        return readAvro(bytes, RegistryFraming.HEADER_LENGTH, resolution);
    }

    private T decodeAvro(byte[] bytes) {
        OptionalLong fingerprint = SingleObjectEncoding.fingerprint(bytes);
        if (fingerprint.isEmpty()) {
            throw new UnreadableRecordException("Avro single-object header is truncated");
        }
        Schema reader = schema();
        WriterSchemas.Resolution resolution = writers().resolve(fingerprint.getAsLong())
                .orElseThrow(() -> new UnreadableRecordException(String.format(
                        "Avro schema fingerprint %016x is no published version of %s (the current one is %016x)",
                        fingerprint.getAsLong(), reader.getName(), SchemaNormalization.parsingFingerprint64(reader))));
        return readAvro(bytes, SingleObjectEncoding.HEADER_LENGTH, resolution);
    }

    private T readAvro(byte[] bytes, int offset, WriterSchemas.Resolution resolution) {
        String name = resolution.reader().getName();
        try {
            return resolution.read(bytes, offset);
        } catch (IOException | AvroRuntimeException e) {
            throw new UnreadableRecordException("invalid Avro " + name + ": " + e.getMessage());
        } catch (IndexOutOfBoundsException e) {
            // Avro's decoder indexes the schema's branches and symbols with the number the record gives.
            throw new UnreadableRecordException("invalid Avro " + name
                    + ": a union branch or enum symbol index out of range");
        }
    }

    private T decodeJson(byte[] bytes) {
        Schema reader = schema();
        try {
            return JsonAvro.fromJson(json().readTree(bytes), reader);
        } catch (JacksonException e) {
            throw new UnreadableRecordException("neither Avro single-object encoding (marker C3 01) nor valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UnreadableRecordException("unreadable JSON: " + e.getMessage());
        } catch (JsonAvro.MismatchException e) {
            throw new UnreadableRecordException("not a " + reader.getName() + ": " + e.getMessage());
        }
    }

    private Schema schema() {
        if (schema == null) {
            schema = new Schema.Parser().parse(schemaJson);
        }
        return schema;
    }

    private WriterSchemas writers() {
        if (writers == null) {
            writers = WriterSchemas.of(schema());
        }
        return writers;
    }

    private VersionedWriter<T> writer() {
        if (writer == null) {
            writer = new VersionedWriter<>(schema(), writerVersion);
            writerFingerprint = SchemaNormalization.parsingFingerprint64(writer.schema());
        }
        return writer;
    }

    private ObjectMapper json() {
        if (json == null) {
            json = JsonAvro.mapper(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_JSON_DEPTH)
                    .maxNumberLength(MAX_JSON_NUMBER_LENGTH)
                    .maxNameLength(MAX_JSON_NAME_LENGTH)
                    .maxStringLength(maxRecordBytes)
                    .maxDocumentLength(maxRecordBytes)
                    .build());
        }
        return json;
    }
}
