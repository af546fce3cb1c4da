package dev.sluice.serde;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;

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

    /** The writer schema's fingerprint, if the header is complete. */
    public static OptionalLong fingerprint(byte[] bytes) {
        if (!hasMarker(bytes) || bytes.length < HEADER_LENGTH) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }
}
