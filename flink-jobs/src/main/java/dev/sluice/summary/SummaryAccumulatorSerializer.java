package dev.sluice.summary;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Window state for {@link SummaryAccumulator}: the counters, then each histogram in HdrHistogram's compressed
 * encoding, a few hundred bytes where Kryo would write every bucket of the counts array, then the usage figures
 * (cached tokens, GPU-seconds, cost). State written before those were kept ({@link Snapshot}) is migrated on restore
 * ({@link UsageSnapshot}): its windows count them from the restore on.
 */
public final class SummaryAccumulatorSerializer extends TypeSerializerSingleton<SummaryAccumulator> {

    static final SummaryAccumulatorSerializer INSTANCE = new SummaryAccumulatorSerializer(true);
    /** Reads and writes the format without the usage figures, for state checkpointed before they were kept. */
    static final SummaryAccumulatorSerializer WITHOUT_USAGE = new SummaryAccumulatorSerializer(false);

    private final boolean usage;

    private SummaryAccumulatorSerializer(boolean usage) {
        this.usage = usage;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public SummaryAccumulator createInstance() {
        return new SummaryAccumulator();
    }

    @Override
    public SummaryAccumulator copy(SummaryAccumulator from) {
        SummaryAccumulator copy = new SummaryAccumulator();
        copy.merge(from);
        return copy;
    }

    @Override
    public SummaryAccumulator copy(SummaryAccumulator from, SummaryAccumulator reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SummaryAccumulator acc, DataOutputView out) throws IOException {
        for (long counter : new long[] {acc.count, acc.okCount, acc.inputTokens, acc.outputTokens,
                acc.batchSizeSum, acc.retries, acc.serviceMs}) {
            out.writeLong(counter);
        }
        out.writeInt(acc.errors.size());
        for (Map.Entry<String, Long> error : acc.errors.entrySet()) {
            out.writeUTF(error.getKey());
            out.writeLong(error.getValue());
        }
        writeHistogram(acc.latency, out);
        writeHistogram(acc.firstToken, out);
        if (usage) {
            out.writeLong(acc.cachedTokens);
            out.writeDouble(acc.gpuSeconds);
            out.writeDouble(acc.cost);
        }
    }

    @Override
    public SummaryAccumulator deserialize(DataInputView in) throws IOException {
        SummaryAccumulator acc = new SummaryAccumulator();
        acc.count = in.readLong();
        acc.okCount = in.readLong();
        acc.inputTokens = in.readLong();
        acc.outputTokens = in.readLong();
        acc.batchSizeSum = in.readLong();
        acc.retries = in.readLong();
        acc.serviceMs = in.readLong();
        int errors = in.readInt();
        for (int i = 0; i < errors; i++) {
            acc.errors.put(in.readUTF(), in.readLong());
        }
        // Added into the accumulator's own histograms, which resize as needed; decoded ones would not.
        acc.latency.add(readHistogram(in));
        acc.firstToken.add(readHistogram(in));
        if (usage) {
            acc.cachedTokens = in.readLong();
            acc.gpuSeconds = in.readDouble();
            acc.cost = in.readDouble();
        }
        return acc;
    }

    @Override
    public SummaryAccumulator deserialize(SummaryAccumulator reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private static void writeHistogram(Histogram histogram, DataOutputView out) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        out.writeInt(length);
        out.write(buffer.array(), 0, length);
    }

    private static Histogram readHistogram(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        } catch (DataFormatException e) {
            throw new IOException("corrupt histogram in summary window state", e);
        }
    }

    @Override
    public TypeSerializerSnapshot<SummaryAccumulator> snapshotConfiguration() {
        return usage ? new UsageSnapshot() : new Snapshot();
    }

    /**
     * The format before the usage figures: checkpoints taken then name this class, so it keeps its name and
     * restores the serializer that reads them. A change to the format needs a new snapshot class.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SummaryAccumulator> {
        public Snapshot() {
            super(() -> WITHOUT_USAGE);
        }
    }

    /** The format with the usage figures; state in the earlier format is read with its serializer and rewritten. */
    public static final class UsageSnapshot extends SimpleTypeSerializerSnapshot<SummaryAccumulator> {
        public UsageSnapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<SummaryAccumulator> resolveSchemaCompatibility(
                TypeSerializerSnapshot<SummaryAccumulator> old) {
            if (old instanceof Snapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return old instanceof UsageSnapshot ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }

    /** Picked up through {@link SummaryAccumulator}'s {@code @TypeInfo}, so Flink never falls back to Kryo. */
    public static final class TypeFactory extends TypeInfoFactory<SummaryAccumulator> {
        @Override
        public TypeInformation<SummaryAccumulator> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return new AccumulatorTypeInfo();
        }
    }

    /** The accumulator as an opaque, non-key type with this serializer. */
    static final class AccumulatorTypeInfo extends TypeInformation<SummaryAccumulator> {
        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<SummaryAccumulator> getTypeClass() {
            return SummaryAccumulator.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<SummaryAccumulator> createSerializer(SerializerConfig config) {
            return INSTANCE;
        }

        @Override
        public String toString() {
            return "SummaryAccumulator";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof AccumulatorTypeInfo;
        }

        @Override
        public int hashCode() {
            return AccumulatorTypeInfo.class.hashCode();
        }

        @Override
        public boolean canEqual(Object other) {
            return other instanceof AccumulatorTypeInfo;
        }
    }
}
