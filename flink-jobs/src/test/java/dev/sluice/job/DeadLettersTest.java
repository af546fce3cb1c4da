package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Tenancy;
import dev.sluice.config.Topics;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.serde.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Tests for {@link DeadLetters} and the {@link AvroRecordDeserializer} that makes them. */
class DeadLettersTest {

    private final AvroRecordDeserializer<RunCommand> deserializer =
            new AvroRecordDeserializer<>(RunCommand.class, RunCommand.getClassSchema(), "inference-pipeline", null);

    @Test
    void aReadableRecordIsTheRightAnUnreadableOneADeadLetterWithItsCoordinates() {
        RunCommand cancel = RunCommand.newBuilder().setRunId("r").setTenant("acme").setAction(RunAction.CANCEL)
                .setIssuedAt(1L).build();
        byte[] garbage = {0x01, (byte) 0x9C, 0x44};

        List<Either<DeadLetter, RunCommand>> out = deserialize(
                record(7, new RecordCodec<RunCommand>(RunCommand.getClassSchema()).encode(cancel, true)),
                record(8, garbage), record(9, null));

        assertThat(out.get(0).isRight()).isTrue();
        assertThat(out.get(0).right()).isEqualTo(cancel);
        DeadLetter letter = out.get(1).left();
        assertThat(letter.getSourceTopic()).isEqualTo("t.runs.commands");
        assertThat(letter.getSourcePartition()).isEqualTo(1);
        assertThat(letter.getSourceOffset()).isEqualTo(8);
        assertThat(letter.getSourceTimestamp()).isEqualTo(5_000L);
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letter.getValueSize()).isEqualTo(3);
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("k".getBytes(StandardCharsets.UTF_8)));
        assertThat(letter.getReason()).startsWith("neither Avro single-object encoding");
        assertThat(letter.getJob()).isEqualTo("inference-pipeline");
        assertThat(DeadLetters.key(letter)).isEqualTo("t.runs.commands-1@8");
        assertThat(out.get(2).left().getValue()).isNull();
        assertThat(out.get(2).left().getReason()).isEqualTo("no value");
    }

    @Test
    void keyValueAndReasonAreCutToTheirCaps() {
        ConsumerRecord<byte[], byte[]> huge = new ConsumerRecord<>("t", 0, 0, new byte[5_000], new byte[200_000]);

        DeadLetter letter = DeadLetters.of(huge, "job", "r".repeat(10_000), 1L);

        assertThat(letter.getKey().remaining()).isEqualTo(DeadLetters.MAX_KEY_BYTES);
        assertThat(letter.getValue().remaining()).isEqualTo(DeadLetters.MAX_VALUE_BYTES);
        assertThat(letter.getValueSize()).isEqualTo(200_000);
        assertThat(letter.getReason()).hasSize(DeadLetters.MAX_REASON_CHARS).endsWith("…");
        // As JSON, the largest dead letter is still far below Kafka's default 1 MiB request size.
        assertThat(new RecordCodec<DeadLetter>(DeadLetter.getClassSchema()).encode(letter, true).length)
                .isLessThan(128 * 1_024);
    }

    @Test
    void aDecoderBugIsNamedAsSuch() {
        assertThat(DeadLetters.reasonOf(new IllegalStateException("oops"))).isEqualTo("IllegalStateException: oops");
    }

    @Test
    void withTenancyTopicACommandForAnotherTenantThanItsTopicsIsADeadLetter() {
        AvroRecordDeserializer<RunCommand> owned = new AvroRecordDeserializer<>(RunCommand.class,
                RunCommand.getClassSchema(), "inference-pipeline", new Topics("t", Tenancy.topic),
                RunCommand::getTenant, null);
        RecordCodec<RunCommand> codec = new RecordCodec<>(RunCommand.getClassSchema());
        byte[] acmeCancel = codec.encode(RunCommand.newBuilder().setRunId("r").setTenant("acme")
                .setAction(RunAction.CANCEL).setIssuedAt(1L).build(), false);
        byte[] globexCancel = codec.encode(RunCommand.newBuilder().setRunId("r").setTenant("globex")
                .setAction(RunAction.CANCEL).setIssuedAt(1L).build(), false);

        List<Either<DeadLetter, RunCommand>> out = new ArrayList<>();
        for (byte[] value : List.of(acmeCancel, globexCancel)) {
            owned.deserialize(new ConsumerRecord<>("t.runs.commands.acme", 0, out.size(), null, value),
                    collectorOf(out));
        }

        assertThat(out.get(0).isRight()).isTrue();
        assertThat(out.get(1).isLeft()).isTrue();
        assertThat(out.get(1).left().getReason()).isEqualTo("TENANT_MISMATCH: the record names tenant 'globex', "
                + "but t.runs.commands.acme belongs to tenant 'acme'");
        // Shared topics name no tenant: the record's field is all there is (tenancy: record).
        assertThat(deserialize(new ConsumerRecord<>("t.runs.commands", 0, 0, null, globexCancel)).get(0).isRight())
                .isTrue();
    }

    private static Collector<Either<DeadLetter, RunCommand>> collectorOf(List<Either<DeadLetter, RunCommand>> out) {
        return new Collector<>() {
            @Override
            public void collect(Either<DeadLetter, RunCommand> record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
    }

    @SafeVarargs
    private List<Either<DeadLetter, RunCommand>> deserialize(ConsumerRecord<byte[], byte[]>... records) {
        List<Either<DeadLetter, RunCommand>> out = new ArrayList<>();
        Collector<Either<DeadLetter, RunCommand>> collector = collectorOf(out);
        for (ConsumerRecord<byte[], byte[]> record : records) {
            deserializer.deserialize(record, collector);
        }
        return out;
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
        return new ConsumerRecord<>("t.runs.commands", 1, offset, 5_000L, TimestampType.CREATE_TIME, 1,
                value == null ? 0 : value.length, "k".getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(),
                Optional.empty());
    }
}
