package dev.sluice.job;

import dev.sluice.schema.DeadLetter;
import dev.sluice.serde.RecordCodec;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records of one Avro type in either output format, read within {@link RecordCodec}'s bounds. A record that is not
 * one (a tombstone included) is not skipped: a deserializer cannot side-output, so it comes out as the left of an
 * {@link Either}, a {@link DeadLetter} for {@link DeadLetters#split} to keep.
 */
final class AvroRecordDeserializer<T extends SpecificRecordBase>
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {

    private final Class<T> type;
    private final RecordCodec<T> codec;
    private final String job;

    /** Reads {@code type} records for the job named {@code job}, which the dead letters name. */
    AvroRecordDeserializer(Class<T> type, org.apache.avro.Schema schema, String job) {
        this.type = type;
        this.codec = new RecordCodec<>(schema);
        this.job = job;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, T>> out) {
        T decoded;
        try {
            decoded = codec.decode(record.value());
        } catch (RuntimeException e) {
            // Whatever the decoder throws, one record must not stop the job: it is kept, not retried.
            out.collect(Either.Left(DeadLetters.of(record, job, DeadLetters.reasonOf(e), System.currentTimeMillis())));
            return;
        }
        out.collect(Either.Right(decoded));
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(type));
    }
}
