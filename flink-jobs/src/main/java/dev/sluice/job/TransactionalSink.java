package dev.sluice.job;

import dev.sluice.config.KafkaSettings;
import dev.sluice.serde.RecordCodec;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** The exactly-once Kafka sink every Sluice job writes its output topics with. */
final class TransactionalSink {

    private TransactionalSink() {}

    /**
     * Avro or JSON records (as {@code kafka.output-format} says) to {@code topic}, with transactional ids
     * {@code <prefix>-<name>-…}: {@code name} must be unique among the sinks of every job on the cluster, and had
     * better not start with another's name, so no job mistakes another's transactions for its own lingering ones.
     * Every record is written to fit the producer's {@code max.request.size} (from {@code kafka.properties}, else
     * Kafka's 1 MiB), truncated if it must be ({@link RecordFit}).
     */
    static <T extends SpecificRecordBase> KafkaSink<T> of(
            KafkaSettings kafka, String topic, String name, RecordSerializer.KeyOf<T> key, Schema schema) {
        return of(kafka, record -> topic, name, key, schema);
    }

    /** As {@link #of(KafkaSettings, String, String, RecordSerializer.KeyOf, Schema)}, each record to its topic. */
    static <T extends SpecificRecordBase> KafkaSink<T> of(KafkaSettings kafka, RecordSerializer.TopicOf<T> topic,
            String name, RecordSerializer.KeyOf<T> key, Schema schema) {
        Properties producer = kafka.clientProperties();
        producer.setProperty("transaction.timeout.ms", String.valueOf(kafka.transactionTimeout().toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new RecordSerializer<>(topic, new RecordFit<>(new RecordCodec<>(schema),
                        kafka.outputFormat().equals("json"), key, RecordFit.maxRequestSize(producer))))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(kafka.topicPrefix() + "-" + name)
                .setKafkaProducerConfig(producer)
                .build();
    }
}
