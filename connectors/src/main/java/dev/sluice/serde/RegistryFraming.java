package dev.sluice.serde;

import java.nio.ByteBuffer;
import java.util.OptionalInt;

/**
 * Confluent's wire format for a record whose schema lives in a registry: the magic byte {@code 0x00}, the schema id
 * as 4 big-endian bytes, then the Avro binary body, written with that schema ({@code SchemaId.MAGIC_BYTE_V0} and
 * {@code ID_SIZE} in Confluent's serializers). Sluice's other encodings never start with {@code 0x00}: Avro's
 * single-object encoding starts {@code C3 01} and JSON with an opening brace or whitespace, so the first byte tells
 * them apart.
 *
 * <p>Usage, writing and reading:
 * <pre>{@code
 * byte[] framed = RegistryFraming.frame(client.idFor(topic, false, schema), avroBody);
 * OptionalInt id = RegistryFraming.schemaId(framed);      // empty: truncated header
 * Schema writer = client.schemaById(id.getAsInt());
 * // decode framed[HEADER_LENGTH ..] with writer
 * }</pre>
 */
public final class RegistryFraming {

    /** The first byte of a framed record. */
    public static final byte MAGIC_BYTE = 0x00;
    /** The magic byte and the 4-byte schema id; the Avro body starts at this offset. */
    public static final int HEADER_LENGTH = 5;

    private RegistryFraming() {}

    /**
     * Whether {@code bytes} start with the magic byte: a framed record, or, when {@link #schemaId} is empty, a
     * truncated one.
     */
    public static boolean isFramed(byte[] bytes) {
        return bytes.length > 0 && bytes[0] == MAGIC_BYTE;
    }

    /**
     * The schema id in the header; empty when {@code bytes} are not framed, shorter than the header, or carry a
     * negative id, which no registry assigns (Confluent's and Apicurio's ids count up from 1).
     */
    public static OptionalInt schemaId(byte[] bytes) {
        if (!isFramed(bytes) || bytes.length < HEADER_LENGTH) {
            return OptionalInt.empty();
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The header for schema {@code id}, then {@code body}, in a new array. */
    public static byte[] frame(int id, byte[] body) {
        if (id < 0) {
            throw new IllegalArgumentException("a schema id is 0 or more: " + id);
        }
        return ByteBuffer.allocate(HEADER_LENGTH + body.length).put(MAGIC_BYTE).putInt(id).put(body).array();
    }
}
