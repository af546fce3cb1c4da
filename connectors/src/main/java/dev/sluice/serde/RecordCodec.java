package dev.sluice.serde;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * One record type in both of Sluice's wire formats: Avro single-object encoding and plain JSON with the schema's
 * field names. Decoding tells the two apart by the single-object marker.
 */
public final class RecordCodec<T extends SpecificRecordBase> implements Serializable {

    private final String schemaJson;
    private transient Schema schema;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;

    public RecordCodec(Schema schema) {
        this.schemaJson = schema.toString();
        this.schema = schema;
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

    /** Decodes either format; throws on anything else. */
    public T decode(byte[] bytes) {
        try {
            if (SingleObjectEncoding.hasMarker(bytes)) {
                return decoder().decode(bytes);
            }
            return JsonAvro.fromJson(JsonAvro.mapper().readTree(bytes), schema());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode " + schema().getName(), e);
        }
    }

    private Schema schema() {
        if (schema == null) {
            schema = new Schema.Parser().parse(schemaJson);
        }
        return schema;
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema());
        }
        return encoder;
    }

    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema());
        }
        return decoder;
    }
}
