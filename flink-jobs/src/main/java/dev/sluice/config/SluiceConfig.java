package dev.sluice.config;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the pipeline reads from {@code sluice.yaml}: Kafka, the job, intake limits, the gateways'
 * batching and concurrency, where the model catalog is, the metrics-summary job, and where metrics go. Keys are
 * kebab-case; durations are ISO-8601 ({@code PT1S}).
 */
public record SluiceConfig(
        KafkaSettings kafka, JobSettings job, LimitSettings limits, GatewaySettings gateway, String catalog,
        SummarySettings summary, MetricsSettings metrics) implements Serializable {

    public SluiceConfig {
        Objects.requireNonNull(kafka, "kafka section is required");
        job = job == null ? JobSettings.ofDefaults() : job;
        limits = limits == null ? LimitSettings.ofDefaults() : limits;
        gateway = gateway == null ? GatewaySettings.ofDefaults() : gateway;
        catalog = catalog == null ? "catalog.yaml" : catalog;
        summary = summary == null ? SummarySettings.ofDefaults() : summary;
        metrics = metrics == null ? MetricsSettings.ofDefaults() : metrics;
    }

    /** Without {@code summary} and {@code metrics} sections: their defaults (no Prometheus reporter). */
    public SluiceConfig(
            KafkaSettings kafka, JobSettings job, LimitSettings limits, GatewaySettings gateway, String catalog) {
        this(kafka, job, limits, gateway, catalog, null, null);
    }

    /** Reads and checks a YAML file; errors name the file, the key and the line. */
    public static SluiceConfig load(Path file) {
        try {
            return Yaml.read(Files.readString(file), file.toString(), SluiceConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The catalog file, relative to the folder of {@code configFile} unless absolute. */
    public Path catalogPath(Path configFile) {
        Path parent = configFile.toAbsolutePath().getParent();
        return parent == null ? Path.of(catalog) : parent.resolve(catalog);
    }

    public SluiceConfig withBootstrapServers(String bootstrapServers) {
        return new SluiceConfig(kafka.withBootstrapServers(bootstrapServers), job, limits, gateway, catalog, summary,
                metrics);
    }

    public SluiceConfig withMetrics(MetricsSettings settings) {
        return new SluiceConfig(kafka, job, limits, gateway, catalog, summary, settings);
    }
}
