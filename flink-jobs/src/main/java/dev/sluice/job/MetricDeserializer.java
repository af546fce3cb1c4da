package dev.sluice.job;

import dev.sluice.schema.InferenceMetric;
import dev.sluice.serde.RecordCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Metrics in either output format; a record that is not one is logged and skipped, not a reason to stop. */
final class MetricDeserializer implements KafkaRecordDeserializationSchema<InferenceMetric> {

    private static final Logger LOG = LoggerFactory.getLogger(MetricDeserializer.class);

    private final RecordCodec<InferenceMetric> codec = new RecordCodec<>(InferenceMetric.getClassSchema());

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InferenceMetric> out) {
        try {
            out.collect(codec.decode(record.value()));
        } catch (RuntimeException e) {
            LOG.warn("skipping {}-{}@{}: not an InferenceMetric: {}",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<InferenceMetric> getProducedType() {
        return new AvroTypeInfo<>(InferenceMetric.class);
    }
}
