package dev.sluice.job;

import dev.sluice.serde.Truncation;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Encodes output records so that each fits its producer's {@code max.request.size}, whatever it holds. A record
 * whose key and value would not fit is written as a shrunk copy: every text over a cap cut with the marker
 * {@code … [truncated N chars]}, every list and map cut to a number of entries that falls with the cap, and every optional
 * {@code bytes} (a reject's original) left out; the cap halves until the copy fits. Caps of 256 and more leave ids
 * alone (intake bounds them there); only the last resort, 64 characters, cuts them, and its result is bounded by the
 * schema alone, which {@link #MIN_MAX_REQUEST_SIZE} leaves ample room for. A record that would fail the producer
 * would fail the sink's transaction, and the job would restore and fail on it again forever.
 *
 * @param <T> the output record type: Completion, InferenceMetric, Reject, RunState, MetricsSummary
 */
final class RecordFit<T extends SpecificRecordBase> implements Serializable {

    /**
     * Bytes kept free for what the producer adds to key and value when it checks a record against
     * {@code max.request.size}: a record batch header (61 bytes) and at most 21 bytes of per-record lengths and
     * deltas (Kafka's {@code AbstractRecords.estimateSizeInBytesUpperBound}); Sluice writes no headers.
     */
    static final int HEADROOM_BYTES = 1024;
    /**
     * The smallest {@code max.request.size} a sink accepts. The last-resort copy of every output type fits far
     * below it; a reject, bounded at its source (its original to 64 KiB, its message to 4,096 characters, its ids
     * to their caps), fits it whole in either format, so a reject's message never claims an original it lost here.
     */
    static final int MIN_MAX_REQUEST_SIZE = 128 * 1024;
    /** The last-resort text cap. */
    static final int FLOOR_CHARS = 64;
    /** Text caps at or above this keep every id that passed intake. */
    private static final int ID_SAFE_CHARS = 256;
    /** A list or map keeps one entry per this many characters of the cap, and at least one. */
    private static final int CHARS_PER_ENTRY = 64;

    /** One record ready to send. */
    record Encoded(byte[] key, byte[] value, boolean shrunk) {}

    private final ValueWriter<T> values;
    private final RecordSerializer.KeyOf<T> keyOf;
    private final int maxRequestSize;

    RecordFit(ValueWriter<T> values, RecordSerializer.KeyOf<T> keyOf, int maxRequestSize) {
        if (maxRequestSize < MIN_MAX_REQUEST_SIZE) {
            throw new IllegalArgumentException(ProducerConfig.MAX_REQUEST_SIZE_CONFIG + " of the sinks must be at least "
                    + MIN_MAX_REQUEST_SIZE + " bytes, so every output can fit it: " + maxRequestSize);
        }
        this.values = values;
        this.keyOf = keyOf;
        this.maxRequestSize = maxRequestSize;
    }

    /** The producer's {@code max.request.size} as Kafka reads it from {@code producer}, or Kafka's default. */
    static int maxRequestSize(Properties producer) {
        String name = ProducerConfig.MAX_REQUEST_SIZE_CONFIG;
        Object value = producer.getProperty(name);
        return (Integer) (value == null ? ProducerConfig.configDef().defaultValues().get(name)
                : ConfigDef.parseType(name, value, ConfigDef.Type.INT));
    }

    /** The key and value of {@code record} for {@code topic}, or of its shrunk copy where the whole would not fit. */
    Encoded encode(String topic, T record) {
        Encoded whole = encodeAs(topic, record, false);
        if (fits(whole)) {
            return whole;
        }
        for (int chars : caps()) {
            T copy = shrunk(record, chars);
            if (copy.equals(record)) {
                continue; // nothing is as long as this cap: encoding would only measure the same record again
            }
            Encoded shrunk = encodeAs(topic, copy, true);
            if (fits(shrunk)) {
                return shrunk;
            }
        }
        // Unreachable while MIN_MAX_REQUEST_SIZE holds: the last-resort copy's size is bounded by its schema.
        throw new IllegalStateException(record.getSchema().getName() + " does not fit " + maxRequestSize
                + " bytes even with every text cut to " + FLOOR_CHARS + " characters");
    }

    /** Text caps to try, largest first: halving from half the limit, then the id-safe cap, then the floor. */
    private int[] caps() {
        return IntStream.concat(
                IntStream.iterate(maxRequestSize / 2, chars -> chars > ID_SAFE_CHARS, chars -> chars / 2),
                IntStream.of(ID_SAFE_CHARS, FLOOR_CHARS)).toArray();
    }

    private Encoded encodeAs(String topic, T record, boolean shrunk) {
        String key = keyOf.keyOf(record);
        return new Encoded(key == null ? null : key.getBytes(StandardCharsets.UTF_8), values.write(topic, record),
                shrunk);
    }

    private boolean fits(Encoded encoded) {
        long size = (long) encoded.value().length + (encoded.key() == null ? 0 : encoded.key().length);
        return size + HEADROOM_BYTES <= maxRequestSize;
    }

    /** A copy of {@code record} with every text, list and optional bytes bounded by {@code chars}. */
    @SuppressWarnings("unchecked")
    static <T extends SpecificRecordBase> T shrunk(T record, int chars) {
        return (T) shrink(record, record.getSchema(), chars);
    }

    private static Object shrink(Object value, Schema schema, int chars) {
        if (value == null) {
            return null;
        }
        return switch (schema.getType()) {
            case RECORD -> {
                IndexedRecord from = (IndexedRecord) value;
                IndexedRecord copy = (IndexedRecord) SpecificData.get().newRecord(null, schema);
                for (Schema.Field field : schema.getFields()) {
                    copy.put(field.pos(), shrink(from.get(field.pos()), field.schema(), chars));
                }
                yield copy;
            }
            case UNION -> {
                Schema branch = schema.getTypes().get(SpecificData.get().resolveUnion(schema, value));
                // Optional bytes are a copy of input (a reject's original), never needed to read the record.
                yield branch.getType() == Schema.Type.BYTES ? null : shrink(value, branch, chars);
            }
            case STRING -> Truncation.text(value.toString(), chars);
            case BYTES -> {
                ByteBuffer bytes = ((ByteBuffer) value).duplicate();
                yield bytes.limit(bytes.position() + Math.min(bytes.remaining(), chars)).slice();
            }
            case ARRAY -> {
                List<?> items = (List<?>) value;
                int keep = Math.min(items.size(), Math.max(1, chars / CHARS_PER_ENTRY));
                List<Object> copy = new ArrayList<>(keep);
                for (Object item : items.subList(0, keep)) {
                    copy.add(shrink(item, schema.getElementType(), chars));
                }
                yield copy;
            }
            case MAP -> {
                Map<?, ?> entries = (Map<?, ?>) value;
                Map<String, Object> copy = new LinkedHashMap<>();
                entries.entrySet().stream().limit(Math.max(1, chars / CHARS_PER_ENTRY)).forEach(entry -> copy.put(
                        Truncation.text(entry.getKey().toString(), chars),
                        shrink(entry.getValue(), schema.getValueType(), chars)));
                yield copy;
            }
            // Numbers, booleans, enums and fixed have a size of their own.
            default -> value;
        };
    }
}
