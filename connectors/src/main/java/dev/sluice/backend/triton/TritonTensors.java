package dev.sluice.backend.triton;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Triton's raw tensor layout: little-endian, row-major, no padding; each BYTES element is a 4-byte little-endian
 * length followed by its bytes (server docs/protocol/extension_binary_data.md).
 */
public final class TritonTensors {

    public static final String BYTES = "BYTES";
    public static final String INT32 = "INT32";
    public static final String FP32 = "FP32";
    public static final String UINT64 = "UINT64";
    public static final String BOOL = "BOOL";

    private TritonTensors() {}

    /** Encodes strings as UTF-8 BYTES elements. */
    public static ByteString encodeStrings(List<String> values) {
        List<byte[]> encoded = new ArrayList<>(values.size());
        int size = 0;
        for (String value : values) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            encoded.add(bytes);
            size += Integer.BYTES + bytes.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] bytes : encoded) {
            buffer.putInt(bytes.length).put(bytes);
        }
        return ByteString.copyFrom(buffer.flip());
    }

    /** Decodes BYTES elements as UTF-8 strings; fails on a length that runs past the end. */
    public static List<String> decodeStrings(ByteString raw) {
        return decodeElements(raw).stream().map(bytes -> new String(bytes, StandardCharsets.UTF_8)).toList();
    }

    /** Decodes BYTES elements as they are: a streamed chunk may end inside a multi-byte character. */
    public static List<byte[]> decodeElements(ByteString raw) {
        ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> values = new ArrayList<>();
        while (buffer.hasRemaining()) {
            if (buffer.remaining() < Integer.BYTES) {
                throw new IllegalArgumentException("BYTES tensor ends inside an element length");
            }
            long length = Integer.toUnsignedLong(buffer.getInt());
            if (length > buffer.remaining()) {
                throw new IllegalArgumentException(
                        "BYTES element of " + length + " bytes exceeds the " + buffer.remaining() + " left");
            }
            byte[] bytes = new byte[(int) length];
            buffer.get(bytes);
            values.add(bytes);
        }
        return values;
    }

    public static ByteString encodeInts(int[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int value : values) {
            buffer.putInt(value);
        }
        return ByteString.copyFrom(buffer.flip());
    }

    public static int[] decodeInts(ByteString raw) {
        if (raw.size() % Integer.BYTES != 0) {
            throw new IllegalArgumentException("INT32 tensor of " + raw.size() + " bytes is not a whole number");
        }
        ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int[] values = new int[raw.size() / Integer.BYTES];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.getInt();
        }
        return values;
    }

    public static ByteString encodeFloats(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return ByteString.copyFrom(buffer.flip());
    }

    public static float[] decodeFloats(ByteString raw) {
        ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[raw.size() / Float.BYTES];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.getFloat();
        }
        return values;
    }

    public static ByteString encodeLongs(long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            buffer.putLong(value);
        }
        return ByteString.copyFrom(buffer.flip());
    }

    /** BOOL is one byte per element, 1 or 0. */
    public static ByteString encodeBools(boolean[] values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) (values[i] ? 1 : 0);
        }
        return ByteString.copyFrom(bytes);
    }

    public static boolean[] decodeBools(ByteString raw) {
        boolean[] values = new boolean[raw.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = raw.byteAt(i) != 0;
        }
        return values;
    }

    /** Size in bytes of one element of a fixed-width datatype. */
    public static int elementSize(String datatype) {
        return switch (datatype) {
            case BOOL -> 1;
            case INT32, FP32 -> 4;
            case UINT64 -> 8;
            default -> throw new IllegalArgumentException("no fixed element size for " + datatype);
        };
    }
}
