package dev.sluice.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the pipeline reads from {@code sluice.yaml}: Kafka, the job, intake limits, the gateways'
 * batching and concurrency, where the model catalog is, the metrics-summary job, where metrics go, and who may
 * change the catalog of a running job ({@code control-plane}). Keys are
 * kebab-case; durations are ISO-8601 ({@code PT1S}); environment variables override keys
 * ({@link #load(Path, Map)}). Kafka's transaction timeout is checked against the job's checkpointing
 * ({@link TransactionTimeouts}) here, so every command refuses a configuration that could lose output.
 */
public record SluiceConfig(
        KafkaSettings kafka, JobSettings job, LimitSettings limits, GatewaySettings gateway, String catalog,
        SummarySettings summary, MetricsSettings metrics, ControlPlaneSettings controlPlane, ServeSettings serve)
        implements Serializable {

    public SluiceConfig {
        Objects.requireNonNull(kafka, "kafka section is required");
        job = job == null ? JobSettings.ofDefaults() : job;
        limits = limits == null ? LimitSettings.ofDefaults() : limits;
        gateway = gateway == null ? GatewaySettings.ofDefaults() : gateway;
        catalog = catalog == null ? "catalog.yaml" : catalog;
        summary = summary == null ? SummarySettings.ofDefaults() : summary;
        metrics = metrics == null ? MetricsSettings.ofDefaults() : metrics;
        controlPlane = controlPlane == null ? ControlPlaneSettings.ofDefaults() : controlPlane;
        serve = serve == null ? ServeSettings.ofDefaults() : serve;
        TransactionTimeouts.check(kafka, job);
    }

    /** Without a {@code serve} section: its defaults. */
    public SluiceConfig(KafkaSettings kafka, JobSettings job, LimitSettings limits, GatewaySettings gateway,
            String catalog, SummarySettings summary, MetricsSettings metrics, ControlPlaneSettings controlPlane) {
        this(kafka, job, limits, gateway, catalog, summary, metrics, controlPlane, null);
    }

    /**
     * Without {@code summary}, {@code metrics} and {@code control-plane} sections: their defaults (no Prometheus
     * reporter, the catalog topic off).
     */
    public SluiceConfig(
            KafkaSettings kafka, JobSettings job, LimitSettings limits, GatewaySettings gateway, String catalog) {
        this(kafka, job, limits, gateway, catalog, null, null, null, null);
    }

    /** Reads and checks a YAML file, with the process's environment overrides; see {@link #load(Path, Map)}. */
    public static SluiceConfig load(Path file) {
        return load(file, System.getenv());
    }

    /**
     * Reads and checks a YAML file; errors name the file, the key and the line. Every key can be overridden by a
     * variable of {@code environment}: {@code SLUICE_} + its path upper-cased with {@code .} and {@code -} as
     * {@code _} ({@code SLUICE_JOB_PARALLELISM}); {@code SLUICE_KAFKA_PROPERTIES} takes a YAML mapping merged over
     * the file's. Errors in overridden values name the variables.
     */
    public static SluiceConfig load(Path file, Map<String, String> environment) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        if (!(Yaml.tree(text, file.toString()) instanceof ObjectNode tree)) {
            throw new IllegalArgumentException(file + ": not a mapping of sections");
        }
        List<String> applied = EnvironmentOverrides.apply(tree, environment);
        return applied.isEmpty()
                ? Yaml.read(text, file.toString(), SluiceConfig.class)
                : Yaml.read(tree, file + " with " + String.join(", ", applied), SluiceConfig.class);
    }

    /** The catalog file, relative to the folder of {@code configFile} unless absolute. */
    public Path catalogPath(Path configFile) {
        return besides(configFile, catalog);
    }

    /** The operator's public key for catalog documents, relative as {@link #catalogPath}; empty when not set. */
    public Optional<Path> catalogPublicKeyPath(Path configFile) {
        return Optional.ofNullable(controlPlane.publicKey()).map(key -> besides(configFile, key));
    }

    private static Path besides(Path configFile, String file) {
        Path parent = configFile.toAbsolutePath().getParent();
        return parent == null ? Path.of(file) : parent.resolve(file);
    }

    public SluiceConfig withBootstrapServers(String bootstrapServers) {
        return new SluiceConfig(kafka.withBootstrapServers(bootstrapServers), job, limits, gateway, catalog, summary,
                metrics, controlPlane, serve);
    }

    public SluiceConfig withMetrics(MetricsSettings settings) {
        return new SluiceConfig(kafka, job, limits, gateway, catalog, summary, settings, controlPlane, serve);
    }

    public SluiceConfig withServe(ServeSettings settings) {
        return new SluiceConfig(kafka, job, limits, gateway, catalog, summary, metrics, controlPlane, settings);
    }

    /** A path of the {@code serve} section, relative as {@link #catalogPath}. */
    public Path servePath(Path configFile, String file) {
        return besides(configFile, file);
    }
}
