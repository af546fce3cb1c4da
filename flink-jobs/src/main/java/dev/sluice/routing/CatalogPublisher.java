package dev.sluice.routing;

import dev.sluice.config.KafkaSettings;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes a catalog to the compacted catalog topic; running pipelines switch to it without a restart. */
public final class CatalogPublisher {

    /** The one key of the catalog topic: compaction keeps only the latest document. */
    public static final String KEY = "catalog";

    private CatalogPublisher() {}

    public static void publish(KafkaSettings kafka, Catalog catalog) {
        String topic = kafka.topics().catalog();
        Properties properties = kafka.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, KEY, catalog.toYaml())).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing the catalog to " + topic + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the catalog", e);
        }
    }
}
