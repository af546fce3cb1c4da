package dev.sluice.job;

import dev.sluice.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes an output record to its topic (one for all, or the record's tenant's own in {@code tenancy: topic}): keyed
 * as the caller says (tenant/request_id for outcomes), the value in Avro single-object encoding or plain JSON.
 */
final class RecordSerializer<T extends SpecificRecordBase> implements KafkaRecordSerializationSchema<T> {

    /** The record key as text; null for none. */
    interface KeyOf<T> extends Function {
        String keyOf(T record);
    }

    /** The topic a record goes to. */
    interface TopicOf<T> extends Function {
        String topicOf(T record);
    }

    private final TopicOf<T> topic;
    private final boolean json;
    private final KeyOf<T> key;
    private final RecordCodec<T> codec;

    RecordSerializer(TopicOf<T> topic, boolean json, KeyOf<T> key, RecordCodec<T> codec) {
        this.topic = topic;
        this.json = json;
        this.key = key;
        this.codec = codec;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
        String keyText = key.keyOf(record);
        byte[] keyBytes = keyText == null ? null : keyText.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic.topicOf(record), null, timestamp, keyBytes, codec.encode(record, json));
    }
}
