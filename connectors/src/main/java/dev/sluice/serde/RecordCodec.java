package dev.sluice.serde;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * One record type in both of Sluice's wire formats: Avro single-object encoding and plain JSON with the schema's
 * field names. Decoding tells the two apart by the single-object marker.
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
    private transient Schema schema;
    private transient long fingerprint;
    private transient BinaryMessageEncoder<T> encoder;
    private transient ObjectMapper json;

    /** Decodes records of up to {@link #DEFAULT_MAX_RECORD_BYTES}. */
    public RecordCodec(Schema schema) {
        this(schema, DEFAULT_MAX_RECORD_BYTES);
    }

    public RecordCodec(Schema schema, int maxRecordBytes) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.schemaJson = schema.toString();
        this.maxRecordBytes = maxRecordBytes;
        this.schema = schema;
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    }

    public byte[] encode(T record, boolean json) {
        if (json) {
            return JsonAvro.toJson(record).toString().getBytes(StandardCharsets.UTF_8);
        }
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + schema().getName(), e);
        }
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
        return SingleObjectEncoding.hasMarker(bytes) ? decodeAvro(bytes) : decodeJson(bytes);
    }

    private T decodeAvro(byte[] bytes) {
        OptionalLong writer = SingleObjectEncoding.fingerprint(bytes);
        if (writer.isEmpty()) {
            throw new UnreadableRecordException("Avro single-object header is truncated");
        }
        Schema reader = schema();
        if (writer.getAsLong() != fingerprint) {
            throw new UnreadableRecordException(String.format("Avro schema fingerprint %016x is not %s's (%016x)",
                    writer.getAsLong(), reader.getName(), fingerprint));
        }
        try {
            return SingleObjectEncoding.read(bytes, reader);
        } catch (IOException | AvroRuntimeException e) {
            throw new UnreadableRecordException("invalid Avro " + reader.getName() + ": " + e.getMessage());
        } catch (IndexOutOfBoundsException e) {
            // Avro's decoder indexes the schema's branches and symbols with the number the record gives.
            throw new UnreadableRecordException("invalid Avro " + reader.getName()
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
            fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        }
        return schema;
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema());
        }
        return encoder;
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
