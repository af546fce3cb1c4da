package dev.sluice.config;

import dev.sluice.schema.Completion;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RunState;
import dev.sluice.registry.RegistrySettings;
import dev.sluice.registry.SchemaRegistryClient;
import dev.sluice.serde.RecordCodec;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Where the topics live and how records are written.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param topicPrefix prefix of every topic name, default {@code sluice}
 * @param outputFormat {@code avro} (single-object encoding, default), {@code json}, or {@code registry} (Avro in
 *     the schema registry's framing; needs {@code schemaRegistry})
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
 * @param outputSchemaVersions per output record ({@code Completion}, {@code InferenceMetric}, {@code Reject},
 *     {@code MetricsSummary}, {@code RunState}, {@code DeadLetter}), the published schema version to write Avro in,
 *     for consumers that have not upgraded; absent, the current one
 */
public record KafkaSettings(
        String bootstrapServers, String topicPrefix, String outputFormat, Duration transactionTimeout,
        Map<String, String> properties, Tenancy tenancy, TopicSettings topicSettings,
        Map<String, Integer> outputSchemaVersions, SchemaRegistrySettings schemaRegistry) implements Serializable {

    /** The records the pipeline writes, by name: the ones whose schema version can be pinned. */
    private static final Map<String, Schema> OUTPUTS = Stream.of(Completion.getClassSchema(),
            InferenceMetric.getClassSchema(), Reject.getClassSchema(), MetricsSummary.getClassSchema(),
            RunState.getClassSchema(), DeadLetter.getClassSchema())
            .collect(Collectors.toUnmodifiableMap(Schema::getName, Function.identity()));

    /** The producer property that {@link #transactionTimeout} sets. */
    public static final String TRANSACTION_TIMEOUT = "transaction.timeout.ms";

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "kafka.bootstrap-servers is required");
        topicPrefix = topicPrefix == null ? "sluice" : topicPrefix;
        outputFormat = outputFormat == null ? "avro" : outputFormat;
        if (!Set.of("avro", "json", "registry").contains(outputFormat)) {
            throw new IllegalArgumentException("kafka.output-format must be avro, json or registry: " + outputFormat);
        }
        if (outputFormat.equals("registry") && schemaRegistry == null) {
            throw new IllegalArgumentException("kafka.output-format registry needs kafka.schema-registry.url");
        }
        if (schemaRegistry != null) {
            schemaRegistry.toClientSettings();
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
        outputSchemaVersions = outputSchemaVersions == null ? Map.of() : Map.copyOf(outputSchemaVersions);
        outputSchemaVersions.forEach(KafkaSettings::checkOutputSchemaVersion);
    }

    /** Topics made as {@link TopicSettings#ofDefaults()}, current output schemas, no schema registry. */
    public KafkaSettings(String bootstrapServers, String topicPrefix, String outputFormat,
            Duration transactionTimeout, Map<String, String> properties, Tenancy tenancy) {
        this(bootstrapServers, topicPrefix, outputFormat, transactionTimeout, properties, tenancy, null, null, null);
    }

    /** Shared topics, {@link Tenancy#record}, current output schemas. */
    public KafkaSettings(String bootstrapServers, String topicPrefix, String outputFormat,
            Duration transactionTimeout, Map<String, String> properties) {
        this(bootstrapServers, topicPrefix, outputFormat, transactionTimeout, properties, Tenancy.record);
    }

    private static void checkOutputSchemaVersion(String record, Integer version) {
        Schema schema = OUTPUTS.get(record);
        if (schema == null) {
            throw new IllegalArgumentException("kafka.output-schema-versions." + record + ": not an output record; "
                    + "one of " + new TreeSet<>(OUTPUTS.keySet()));
        }
        try {
            new RecordCodec<>(schema, RecordCodec.DEFAULT_MAX_RECORD_BYTES, version);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kafka.output-schema-versions." + record + ": " + e.getMessage(), e);
        }
    }

    /** The schema registry's client settings, if one is configured. */
    public Optional<RegistrySettings> registry() {
        return Optional.ofNullable(schemaRegistry).map(SchemaRegistrySettings::toClientSettings);
    }

    /** A client of the schema registry, for reading records in its framing; null when none is configured. */
    public SchemaRegistryClient registryClientOrNull() {
        return registry().map(SchemaRegistryClient::new).orElse(null);
    }

    /** The schema version {@code record} is written in: the pinned one, else 0 for the current one. */
    public int outputSchemaVersion(Schema record) {
        return outputSchemaVersions.getOrDefault(record.getName(), 0);
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
                topicSettings, outputSchemaVersions, schemaRegistry);
    }

    KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, topicPrefix, outputFormat, transactionTimeout, properties, tenancy,
                topicSettings, outputSchemaVersions, schemaRegistry);
    }
}
