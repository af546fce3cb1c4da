package dev.sluice.demo;

import dev.sluice.config.KafkaSettings;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes prompt records as a producing service would: idempotent, acknowledged by the broker. */
public final class PromptPublisher {

    private PromptPublisher() {}

    /** Publishes {@code records} to the prompts topic of {@code kafka}; returns where each landed, in order. */
    public static List<RecordPosition> publish(KafkaSettings kafka, List<SamplePrompts.SampleRecord> records) {
        return publish(kafka, kafka.topics().prompts(), records);
    }

    /**
     * Publishes {@code records} to {@code topic}: a tenant's own prompts topic, say. Returns where each landed, in
     * the order of {@code records}.
     */
    public static List<RecordPosition> publish(KafkaSettings kafka, String topic,
            List<SamplePrompts.SampleRecord> records) {
        Properties properties = kafka.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        RecordPosition[] positions = new RecordPosition[records.size()];
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            AtomicReference<Exception> failure = new AtomicReference<>();
            for (int i = 0; i < records.size(); i++) {
                SamplePrompts.SampleRecord record = records.get(i);
                int index = i;
                producer.send(new ProducerRecord<>(topic, record.key(), record.value()), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        positions[index] = new RecordPosition(metadata.topic(), metadata.partition(),
                                metadata.offset());
                    }
                });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("publishing to " + topic + " failed", failure.get());
            }
        }
        return List.of(positions);
    }
}
