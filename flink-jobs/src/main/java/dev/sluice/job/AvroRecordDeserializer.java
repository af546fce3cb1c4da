package dev.sluice.job;

import dev.sluice.config.Tenancy;
import dev.sluice.config.Topics;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.RejectReason;
import dev.sluice.serde.RecordCodec;
import dev.sluice.serde.SchemaIds;
import dev.sluice.serde.Truncation;
import java.io.Serializable;
import java.util.Objects;
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
 * {@link Either}, a {@link DeadLetter} for {@link DeadLetters#split} to keep. So is, in {@code tenancy: topic}, a
 * record that names a tenant other than the one whose topic it was written to: the topic, guarded by ACLs, says
 * who wrote it, and a tenant's producer must not act for another (cancel its run, say).
 */
final class AvroRecordDeserializer<T extends SpecificRecordBase>
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {

    /** How much of a claimed tenant a dead letter's reason quotes: the claim is the sender's, of any length. */
    private static final int QUOTED_TENANT_CHARS = 64;

    private final Class<T> type;
    private final RecordCodec<T> codec;
    private final String job;
    /** The topics, when a record's tenant must be its topic's; else null. */
    private final Topics owners;
    private final TenantOf<T> tenant;

    /** The tenant a record names. */
    interface TenantOf<T> extends Serializable {
        String tenantOf(T record);
    }

    /**
     * Reads {@code type} records for the job named {@code job}, which the dead letters name; in a schema registry's
     * framing too, with {@code registry} (null for none).
     */
    AvroRecordDeserializer(Class<T> type, org.apache.avro.Schema schema, String job, SchemaIds registry) {
        this(type, schema, job, null, null, registry);
    }

    /**
     * As {@link #AvroRecordDeserializer(Class, org.apache.avro.Schema, String)}; in {@code tenancy: topic} a record
     * whose {@code tenant} is not the tenant of the topic it was read from is a dead letter.
     */
    AvroRecordDeserializer(Class<T> type, org.apache.avro.Schema schema, String job, Topics topics,
            TenantOf<T> tenant, SchemaIds registry) {
        this.type = type;
        this.codec = new RecordCodec<>(schema, RecordCodec.DEFAULT_MAX_RECORD_BYTES, 0, registry);
        this.job = job;
        this.owners = topics != null && topics.tenancy() == Tenancy.topic ? topics : null;
        this.tenant = tenant;
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
        String mismatch = mismatch(record.topic(), decoded);
        if (mismatch != null) {
            out.collect(Either.Left(DeadLetters.of(record, job, mismatch, System.currentTimeMillis())));
            return;
        }
        out.collect(Either.Right(decoded));
    }

    /** Why the record may not act for the tenant it names, or null when it may. */
    private String mismatch(String topic, T decoded) {
        if (owners == null) {
            return null;
        }
        String owner = owners.tenantOf(topic).orElse(null);
        String claimed = tenant.tenantOf(decoded);
        return Objects.equals(owner, claimed) ? null : RejectReason.TENANT_MISMATCH + ": the record names tenant '"
                + Truncation.text(String.valueOf(claimed), QUOTED_TENANT_CHARS) + "', but " + topic
                + " belongs to tenant '" + owner + "'";
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(type));
    }
}
