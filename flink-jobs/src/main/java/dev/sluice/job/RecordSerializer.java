package dev.sluice.job;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an output record to its topic (one for all, or the record's tenant's own in {@code tenancy: topic}): keyed
 * as the caller says (tenant/request_id for outcomes), the value in Avro single-object encoding or plain JSON,
 * shrunk by {@link RecordFit} where it would not fit the producer.
 */
final class RecordSerializer<T extends SpecificRecordBase> implements KafkaRecordSerializationSchema<T> {

    private static final Logger LOG = LoggerFactory.getLogger(RecordSerializer.class);

    /** The record key as text; null for none. */
    interface KeyOf<T> extends Function {
        String keyOf(T record);
    }

    /** The topic a record goes to. */
    interface TopicOf<T> extends Function {
        String topicOf(T record);
    }

    private final TopicOf<T> topic;
    private final RecordFit<T> fit;

    RecordSerializer(TopicOf<T> topic, RecordFit<T> fit) {
        this.topic = topic;
        this.fit = fit;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
        String destination = topic.topicOf(record);
        RecordFit.Encoded encoded = fit.encode(destination, record);
        if (encoded.shrunk()) {
            // Rare: intake caps every field; what is left is a misbehaving server or an outsized route explanation.
            LOG.warn("{} record for {} did not fit the producer's max.request.size and was truncated to {} bytes",
                    record.getSchema().getName(), destination, encoded.value().length);
        }
        return new ProducerRecord<>(destination, null, timestamp, encoded.key(), encoded.value());
    }
}
