package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link TransactionTimeouts}. */
class TransactionTimeoutsTest {

    /** 2 s + 120 s + 300 s = 422 s: what a transaction must outlive with these settings. */
    private static final JobSettings JOB = new JobSettings(2, Duration.ofSeconds(2), 64, Duration.ofSeconds(60),
            "blue", Duration.ofMinutes(2), true, Duration.ofSeconds(5), Duration.ofMinutes(5));

    @TempDir
    Path dir;

    @Test
    void aTimeoutOutlastingIntervalCheckpointAndDowntimeIsAccepted() {
        assertThatCode(() -> TransactionTimeouts.check(kafka(Duration.ofSeconds(423)), JOB)).doesNotThrowAnyException();
        assertThatCode(() -> TransactionTimeouts.check(kafka(Duration.ofMinutes(15)), JOB))
                .as("the brokers' default maximum itself").doesNotThrowAnyException();
    }

    @Test
    void aTimeoutNoLongerThanTheirSumIsRefusedWithTheArithmetic() {
        assertThatThrownBy(() -> TransactionTimeouts.check(kafka(Duration.ofSeconds(422)), JOB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.transaction-timeout (422 s) must exceed job.checkpoint-interval + "
                        + "job.checkpoint-timeout + job.max-downtime (2 s + 120 s + 300 s = 422 s)");
        JobSettings fractional = new JobSettings(2, Duration.ofMillis(500), 64, Duration.ofSeconds(60), "blue",
                Duration.ofSeconds(30), true, Duration.ofSeconds(5), Duration.ofSeconds(20));
        assertThatThrownBy(() -> TransactionTimeouts.check(kafka(Duration.ofSeconds(50)), fractional))
                .hasMessageContaining("(0.5 s + 30 s + 20 s = 50.5 s)");
    }

    @Test
    void aTimeoutOverTheBrokersDefaultMaximumIsRefused() {
        assertThatThrownBy(() -> TransactionTimeouts.check(kafka(Duration.ofMinutes(15).plusMillis(1)), JOB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.transaction-timeout (900.001 s) must not exceed 900 s")
                .hasMessageContaining("transaction.max.timeout.ms (15 minutes)");
    }

    @Test
    void theDefaultsPassAndLoadingRefusesWhatCouldLoseOutput() throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, "kafka:\n  bootstrap-servers: broker:9092\n  transaction-timeout: PT5M\n");

        assertThatCode(() -> new SluiceConfig(new KafkaSettings("broker:9092", null, null, null, null),
                JobSettings.ofDefaults(), null, null, null)).doesNotThrowAnyException();
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of()))
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("kafka.transaction-timeout (300 s) must exceed")
                .hasMessageContaining("= 422 s");
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_KAFKA_TRANSACTION_TIMEOUT", "PT10M",
                        "SLUICE_JOB_MAX_DOWNTIME", "PT8M")))
                .as("an override is checked too, and named")
                .hasMessageContaining("SLUICE_JOB_MAX_DOWNTIME")
                .hasMessageContaining("(2 s + 120 s + 480 s = 602 s)");
    }

    private static KafkaSettings kafka(Duration transactionTimeout) {
        return new KafkaSettings("broker:9092", "sluice", "avro", transactionTimeout, Map.of());
    }
}
