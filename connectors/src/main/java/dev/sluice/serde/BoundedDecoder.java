package dev.sluice.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.AvroTypeException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoding of one record held in a byte array, strict where Avro's own decoder trusts the writer.
 * Avro allocates a string, byte array or array as long as its length prefix claims before it reads the content,
 * so a few bytes claiming a billion items exhaust the heap; here no length may exceed the bytes the record has.
 * Avro also replaces invalid UTF-8 with U+FFFD; here it is an error.
 */
final class BoundedDecoder extends Decoder {

    private final BinaryDecoder in;
    private final int length;

    /** Decodes {@code length} bytes of {@code bytes} from {@code offset}. */
    BoundedDecoder(byte[] bytes, int offset, int length) {
        this.in = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
        this.length = length;
    }

    /** Whether every byte has been read. */
    boolean isEnd() throws IOException {
        return in.isEnd();
    }

    @Override
    public String readString() throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(readLengthPrefixed("string"))).toString();
        } catch (CharacterCodingException e) {
            throw new AvroTypeException("string is not valid UTF-8");
        }
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        return new Utf8(readString());
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        return ByteBuffer.wrap(readLengthPrefixed("bytes"));
    }

    @Override
    public long readArrayStart() throws IOException {
        return bounded(in.readArrayStart(), "array");
    }

    @Override
    public long arrayNext() throws IOException {
        return bounded(in.arrayNext(), "array");
    }

    @Override
    public long readMapStart() throws IOException {
        return bounded(in.readMapStart(), "map");
    }

    @Override
    public long mapNext() throws IOException {
        return bounded(in.mapNext(), "map");
    }

    private byte[] readLengthPrefixed(String what) throws IOException {
        byte[] bytes = new byte[(int) bounded(in.readLong(), what)];
        in.readFixed(bytes);
        return bytes;
    }

    /** In Sluice's schemas every item takes at least one byte of the record, so a longer claim is corrupt. */
    private long bounded(long count, String what) {
        if (count < 0 || count > length) {
            throw new AvroTypeException(what + " length " + count + " cannot fit in a record of " + length + " bytes");
        }
        return count;
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void skipString() throws IOException {
        in.skipString();
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipBytes();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int len) throws IOException {
        in.readFixed(bytes, start, len);
    }

    @Override
    public void skipFixed(int len) throws IOException {
        in.skipFixed(len);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long skipArray() throws IOException {
        return bounded(in.skipArray(), "array");
    }

    @Override
    public long skipMap() throws IOException {
        return bounded(in.skipMap(), "map");
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
