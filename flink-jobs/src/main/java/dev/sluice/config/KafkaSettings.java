package dev.sluice.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where the topics live and how records are written.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param topicPrefix prefix of every topic name, default {@code sluice}
 * @param outputFormat {@code avro} (single-object encoding, default) or {@code json}
 * @param transactionTimeout the sinks' {@code transaction.timeout.ms}; must not exceed the broker's
 *     {@code transaction.max.timeout.ms} (15 minutes by default) and must outlast a checkpoint and a recovery
 *     ({@link TransactionTimeouts}); default 10 minutes
 * @param properties extra Kafka client properties (security, for instance), applied to every client; not
 *     {@code transaction.timeout.ms}, which {@code transactionTimeout} sets, and is refused here; secrets in
 *     them should be Kafka config provider placeholders ({@code ${file:PATH:KEY}}, {@code ${env:VAR}}), which
 *     stay unresolved here and are resolved only inside each Kafka client
 * @param tenancy where a record's tenant comes from: {@code record} (its field; one trusted producer, default) or
 *     {@code topic} (the tenant's own topics, guarded by Kafka ACLs); see {@link Tenancy}
 * @param topicSettings partitions, replication factor and retention of the topics ({@link TopicSpecs}); the key
 *     is not {@code topics}, which names the topics themselves ({@link #topics()})
 */
public record KafkaSettings(
        String bootstrapServers, String topicPrefix, String outputFormat, Duration transactionTimeout,
        Map<String, String> properties, Tenancy tenancy, TopicSettings topicSettings) implements Serializable {

    /** The producer property that {@link #transactionTimeout} sets. */
    public static final String TRANSACTION_TIMEOUT = "transaction.timeout.ms";

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "kafka.bootstrap-servers is required");
        topicPrefix = topicPrefix == null ? "sluice" : topicPrefix;
        outputFormat = outputFormat == null ? "avro" : outputFormat;
        if (!outputFormat.equals("avro") && !outputFormat.equals("json")) {
            throw new IllegalArgumentException("kafka.output-format must be avro or json: " + outputFormat);
        }
        transactionTimeout = transactionTimeout == null ? Duration.ofMinutes(10) : transactionTimeout;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        if (properties.containsKey(TRANSACTION_TIMEOUT)) {
            // The sinks set it from transaction-timeout, which is checked; a second value would be silently lost.
            throw new IllegalArgumentException("kafka.properties." + TRANSACTION_TIMEOUT + " is not used: set "
                    + "kafka.transaction-timeout (" + transactionTimeout + " now) instead");
        }
        tenancy = tenancy == null ? Tenancy.record : tenancy;
        topicSettings = topicSettings == null ? TopicSettings.ofDefaults() : topicSettings;
    }

    /** Topics made as {@link TopicSettings#ofDefaults()}. */
    public KafkaSettings(String bootstrapServers, String topicPrefix, String outputFormat,
            Duration transactionTimeout, Map<String, String> properties, Tenancy tenancy) {
        this(bootstrapServers, topicPrefix, outputFormat, transactionTimeout, properties, tenancy, null);
    }

    /** Shared topics, {@link Tenancy#record}. */
    public KafkaSettings(String bootstrapServers, String topicPrefix, String outputFormat,
            Duration transactionTimeout, Map<String, String> properties) {
        this(bootstrapServers, topicPrefix, outputFormat, transactionTimeout, properties, Tenancy.record, null);
    }

    /**
     * What every Kafka client of Sluice connects with: the bootstrap servers and {@link #properties()} as given.
     * Placeholders are left for the client to resolve, so the configuration handed around (to Flink's job graph,
     * into logs) never holds the secrets themselves.
     */
    public Properties clientProperties() {
        Properties client = new Properties();
        client.putAll(properties);
        client.setProperty("bootstrap.servers", bootstrapServers);
        return client;
    }

    public Topics topics() {
        return new Topics(topicPrefix, tenancy);
    }

    public KafkaSettings withTenancy(Tenancy mode) {
        return new KafkaSettings(bootstrapServers, topicPrefix, outputFormat, transactionTimeout, properties, mode,
                topicSettings);
    }

    KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, topicPrefix, outputFormat, transactionTimeout, properties, tenancy,
                topicSettings);
    }
}
