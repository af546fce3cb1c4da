package dev.sluice.job;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SluiceConfig;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The exactly-once Kafka sink every Sluice job writes its output topics with. */
final class TransactionalSink {

    private TransactionalSink() {}

    /**
     * Avro or JSON records (as {@code kafka.output-format} says) to {@code topic}, with transactional ids
     * {@link #transactionalIdPrefix(SluiceConfig, String) <prefix>-<instance-id>.<name>}-…: {@code name} must be
     * unique among the sinks of the deployment's jobs, and had better not start with another's name, so no job
     * mistakes another's transactions for its own lingering ones. Every record is written to fit the producer's
     * {@code max.request.size} (from {@code kafka.properties}, else Kafka's 1 MiB), truncated if it must be
     * ({@link RecordFit}).
     */
    static <T extends SpecificRecordBase> KafkaSink<T> of(
            SluiceConfig config, String topic, String name, RecordSerializer.KeyOf<T> key, Schema schema) {
        return of(config, record -> topic, name, key, schema);
    }

    /** As {@link #of(SluiceConfig, String, String, RecordSerializer.KeyOf, Schema)}, each record to its topic. */
    static <T extends SpecificRecordBase> KafkaSink<T> of(SluiceConfig config, RecordSerializer.TopicOf<T> topic,
            String name, RecordSerializer.KeyOf<T> key, Schema schema) {
        KafkaSettings kafka = config.kafka();
        Properties producer = kafka.clientProperties();
        producer.setProperty(KafkaSettings.TRANSACTION_TIMEOUT, String.valueOf(kafka.transactionTimeout().toMillis()));
        waitForTheBroker(producer, config.job().checkpointTimeout());
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new RecordSerializer<>(topic, new RecordFit<>(ValueWriter.<T>of(kafka, schema), key,
                        RecordFit.maxRequestSize(producer))))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix(config, name))
                .setKafkaProducerConfig(producer)
                .build();
    }

    /**
     * Unless {@code kafka.properties} says otherwise, a send waits for a broker that is gone (for metadata,
     * {@code max.block.ms}, and for delivery, {@code delivery.timeout.ms}) at least as long as a checkpoint may
     * take. A send that gives up first fails the task with an error from inside the writer, which a MiniCluster
     * treats as fatal; one that waits leaves an outage longer than that to the checkpoint timeout, which restarts
     * the job from its last checkpoint. Kafka's defaults (60 s and 120 s) stand where they are longer.
     */
    static void waitForTheBroker(Properties producer, Duration checkpointTimeout) {
        atLeast(producer, ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000, checkpointTimeout);
        atLeast(producer, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000, checkpointTimeout);
    }

    private static void atLeast(Properties producer, String key, long kafkaDefaultMillis, Duration wanted) {
        if (!producer.containsKey(key)) {
            producer.setProperty(key, String.valueOf(Math.max(kafkaDefaultMillis, wanted.toMillis())));
        }
    }

    /**
     * {@code <kafka.topic-prefix>-<job.instance-id>.<name>}. The instance id keeps two deployments on one topic
     * prefix from fencing each other's producers and aborting each other's transactions. It must stay the same
     * across restarts: a job started afresh finds its predecessor's lingering transactions by these ids and aborts
     * them, and under another id would leave them to hold back {@code read_committed} readers until they time out
     * (a job restored from a checkpoint or savepoint also aborts those under the prefix in its state). The dot
     * ends the instance id, which has none, so on one topic prefix no deployment's ids start with another's; the
     * topic prefix leads, so the ACL on transactional ids {@code <topic-prefix>-} (prefixed) still covers them.
     *
     * @throws IllegalArgumentException when {@code job.instance-id} is not set
     */
    static String transactionalIdPrefix(SluiceConfig config, String name) {
        String instance = config.job().instanceId();
        if (instance == null) {
            throw new IllegalArgumentException("job.instance-id is not set: exactly-once output needs a name for "
                    + "this deployment, unique among those sharing topic prefix '" + config.kafka().topicPrefix()
                    + "' on the Kafka cluster and kept across restarts (SLUICE_JOB_INSTANCE_ID sets it too)");
        }
        return config.kafka().topicPrefix() + "-" + instance + "." + name;
    }
}
