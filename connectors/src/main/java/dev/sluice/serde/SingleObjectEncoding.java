package dev.sluice.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;
import org.apache.avro.AvroTypeException;
import org.apache.avro.io.DatumReader;

/**
 * Avro's single-object encoding header: the marker {@code C3 01}, then the writer schema's CRC-64-AVRO
 * fingerprint as 8 little-endian bytes, then the binary record (Avro specification, "Single-object encoding").
 */
public final class SingleObjectEncoding {

    public static final int HEADER_LENGTH = 10;

    private SingleObjectEncoding() {}

    /** Whether {@code bytes} start with the single-object marker. */
    public static boolean hasMarker(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01;
    }

    /** A record: the header for the writer schema with {@code fingerprint}, then the binary {@code body}. */
    public static byte[] frame(long fingerprint, byte[] body) {
        return ByteBuffer.allocate(HEADER_LENGTH + body.length).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3).put((byte) 0x01).putLong(fingerprint).put(body).array();
    }

    /** The writer schema's fingerprint, if the header is complete. */
    public static OptionalLong fingerprint(byte[] bytes) {
        if (!hasMarker(bytes) || bytes.length < HEADER_LENGTH) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }

    /**
     * The Avro binary record that starts at {@code offset} (after this header, or a registry's) and fills the rest of
     * {@code bytes}, read by {@code reader} (Avro's resolution from the writer schema, whose fingerprint or id the
     * caller has matched, to the current {@code recordName}). Strict: lengths beyond the record, invalid UTF-8 and
     * bytes left over are errors.
     */
    static <T> T readBody(byte[] bytes, int offset, DatumReader<T> reader, String recordName)
            throws IOException {
        BoundedDecoder in = new BoundedDecoder(bytes, offset, bytes.length - offset);
        T record = reader.read(null, in);
        if (!in.isEnd()) {
            throw new AvroTypeException("bytes left over after the " + recordName + " record");
        }
        return record;
    }
}
