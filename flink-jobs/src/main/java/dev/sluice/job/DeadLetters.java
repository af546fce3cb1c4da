package dev.sluice.job;

import dev.sluice.config.SluiceConfig;
import dev.sluice.schema.DeadLetter;
import dev.sluice.serde.UnreadableRecordException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records of a job's own inputs that could not be read: each becomes a {@link DeadLetter} on
 * {@code <prefix>.dead-letters}, written exactly once, and counted in {@link SluiceMetrics#DEAD_LETTERS}. A dead
 * letter is small whatever the record was: key, value and reason are cut to their caps, so it always fits the
 * producer's request size (as JSON too, where the bytes grow by a third in base64).
 */
final class DeadLetters {

    static final int MAX_KEY_BYTES = 1_024;
    static final int MAX_VALUE_BYTES = 64 * 1_024;
    static final int MAX_REASON_CHARS = 1_024;
    private static final String CUT = "…";

    private DeadLetters() {}

    /** {@code record}, which {@code job} could not read for {@code reason}, as a dead letter stamped {@code now}. */
    static DeadLetter of(ConsumerRecord<byte[], byte[]> record, String job, String reason, long nowMillis) {
        return of(RecordSource.of(record), record.value(), job, reason, nowMillis);
    }

    /** The record read at {@code source} with {@code value}, which {@code job} refused for {@code reason}. */
    static DeadLetter of(RecordSource source, byte[] value, String job, String reason, long nowMillis) {
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setSourceTimestamp(source.timestamp())
                .setKey(head(source.key(), MAX_KEY_BYTES))
                .setValue(head(value, MAX_VALUE_BYTES))
                .setValueSize(value == null ? 0 : value.length)
                .setReason(cut(reason, MAX_REASON_CHARS))
                .setJob(job)
                .setReceivedAt(nowMillis)
                .build();
    }

    /** Why {@code e} was thrown, for a dead letter: a decoder's bug names its class, since the record may not be at fault. */
    static String reasonOf(RuntimeException e) {
        return e instanceof UnreadableRecordException ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * The readable records of {@code decoded}, an input named {@code input} (unique within its job: it names the
     * operators and the sink's transactional ids); its dead letters go to the dead-letters topic. The split runs at
     * the input's parallelism, so records of one partition keep their order.
     */
    static <T> SingleOutputStreamOperator<T> split(DataStream<Either<DeadLetter, T>> decoded, String input,
            SluiceConfig config) {
        TypeInformation<T> type = ((EitherTypeInfo<DeadLetter, T>) decoded.getType()).getRightType();
        SingleOutputStreamOperator<T> readable = decoded.process(new DeadLetterSplitter<T>(input), type)
                .setParallelism(decoded.getParallelism())
                .uid(input + "-dead-letters").name("split off unreadable " + input);
        sink(readable.getSideOutput(DeadLetterSplitter.DEAD_LETTERS), input, config, decoded.getParallelism());
        return readable;
    }

    /** Writes {@code letters} of the input {@code input} to the dead-letters topic, exactly once. */
    static void sink(DataStream<DeadLetter> letters, String input, SluiceConfig config, int parallelism) {
        letters.sinkTo(TransactionalSink.of(config, config.kafka().topics().deadLetters(), "dead-letters-" + input,
                        DeadLetters::key, DeadLetter.getClassSchema()))
                .setParallelism(parallelism)
                // In a task of its own: the sink's first write waits for the broker (metadata, transaction), and
                // the source must not stall meanwhile, or its partitions turn idle and their records late.
                .disableChaining()
                .uid(input + "-dead-letters-sink").name("dead letters of " + input);
    }

    /** As a reject without a request: the source coordinates, unique per record. */
    static String key(DeadLetter letter) {
        return letter.getSourceTopic() + "-" + letter.getSourcePartition() + "@" + letter.getSourceOffset();
    }

    private static ByteBuffer head(byte[] bytes, int max) {
        return bytes == null ? null : ByteBuffer.wrap(bytes.length <= max ? bytes : Arrays.copyOf(bytes, max));
    }

    private static String cut(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - CUT.length()) + CUT;
    }
}
