package dev.sluice.job;

import dev.sluice.serde.RecordCodec;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records of one Avro type in either output format; a record that is not one (or a tombstone) is logged and
 * skipped, not a reason to stop.
 */
final class AvroRecordDeserializer<T extends SpecificRecordBase> implements KafkaRecordDeserializationSchema<T> {

    private static final Logger LOG = LoggerFactory.getLogger(AvroRecordDeserializer.class);

    private final Class<T> type;
    private final RecordCodec<T> codec;

    AvroRecordDeserializer(Class<T> type, org.apache.avro.Schema schema) {
        this.type = type;
        this.codec = new RecordCodec<>(schema);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
        if (record.value() == null) {
            return;
        }
        try {
            out.collect(codec.decode(record.value()));
        } catch (RuntimeException e) {
            LOG.warn("skipping {}-{}@{}: not a {}: {}",
                    record.topic(), record.partition(), record.offset(), type.getSimpleName(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return new AvroTypeInfo<>(type);
    }
}
