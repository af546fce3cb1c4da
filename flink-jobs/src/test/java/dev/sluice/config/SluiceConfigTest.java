package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link SluiceConfig}. */
class SluiceConfigTest {

    @TempDir
    Path dir;

    @Test
    void theShippedConfigurationLoads() {
        SluiceConfig config = SluiceConfig.load(Path.of("..", "config", "sluice.yaml"));

        assertThat(config.kafka().topics().prompts()).isEqualTo("sluice.prompts");
        assertThat(config.summary()).isEqualTo(SummarySettings.ofDefaults());
        assertThat(config.kafka().transactionTimeout()).isLessThanOrEqualTo(Duration.ofMinutes(15));
        assertThat(config.catalogPath(Path.of("..", "config", "sluice.yaml")))
                .isEqualTo(Path.of("..", "config", "catalog.yaml").toAbsolutePath());
    }

    @Test
    void absentSectionsTakeTheirDefaults() throws IOException {
        SluiceConfig config = SluiceConfig.load(write("kafka:\n  bootstrap-servers: broker:9092\n"));

        assertThat(config.job().parallelism()).isEqualTo(2);
        assertThat(config.summary().window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.summary().parallelism()).isEqualTo(1);
        assertThat(config.job().maxInFlight()).isEqualTo(64);
        assertThat(config.kafka().outputFormat()).isEqualTo("avro");
        assertThat(config.limits().toIntakeLimits().defaultMaxTokens()).isEqualTo(256);
        assertThat(config.limits().dedupeWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.metrics().prometheusPort()).isZero();
    }

    @Test
    void theDedupeWindowIsADurationAndZeroKeepsTheDefault() throws IOException {
        String kafka = "kafka:\n  bootstrap-servers: broker:9092\n";

        assertThat(SluiceConfig.load(write(kafka + "limits:\n  dedupe-window: PT30S\n")).limits().dedupeWindow())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(SluiceConfig.load(write(kafka + "limits:\n  dedupe-window: PT0S\n")).limits().dedupeWindow())
                .isEqualTo(LimitSettings.DEFAULT_DEDUPE_WINDOW);
    }

    @Test
    void thePrometheusPortIsReadAndChecked() throws IOException {
        String kafka = "kafka:\n  bootstrap-servers: broker:9092\n";

        assertThat(SluiceConfig.load(write(kafka + "metrics:\n  prometheus-port: 9249\n")).metrics().prometheusPort())
                .isEqualTo(9249);
        assertThatThrownBy(() -> SluiceConfig.load(write(kafka + "metrics:\n  prometheus-port: 70000\n")))
                .hasMessageContaining("metrics.prometheus-port");
    }

    @Test
    void anUnknownKeyIsReportedWithItsPath() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: broker:9092\njob:\n  paralelism: 4\n");

        assertThatThrownBy(() -> SluiceConfig.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job.paralelism")
                .hasMessageContaining("Unrecognized field")
                .hasMessageContaining("line");
    }

    @Test
    void kafkaClientsGetTheBootstrapServersAndTheSecretPlaceholdersAsWritten() throws IOException {
        SluiceConfig config = SluiceConfig.load(write("""
                kafka:
                  bootstrap-servers: broker:9093
                  properties:
                    security.protocol: SASL_SSL
                    config.providers: env
                    config.providers.env.class: org.apache.kafka.common.config.provider.EnvVarConfigProvider
                    sasl.jaas.config: >-
                      org.apache.kafka.common.security.plain.PlainLoginModule required
                      username="sluice" password="${env:SLUICE_KAFKA_PASSWORD}";
                """));

        assertThat(config.kafka().clientProperties())
                .containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"sluice\" password=\"${env:SLUICE_KAFKA_PASSWORD}\";");
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
