package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Checkpointing}, as both jobs' {@code configure()} apply it. */
class CheckpointingTest {

    /** Values none of which is Flink's default (no interval, 10 min, aligned only, 0 s). */
    @ParameterizedTest
    @ValueSource(strings = {"pipeline", "summary"})
    void configureSetsTheJobsCheckpointing(String job) {
        CheckpointConfig checkpoints = configured(job, new JobSettings(2, Duration.ofSeconds(3), 64,
                Duration.ofSeconds(60), "blue", Duration.ofSeconds(90), true, Duration.ofSeconds(7), null));

        assertThat(checkpoints.getCheckpointInterval()).isEqualTo(3_000);
        assertThat(checkpoints.getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(checkpoints.getCheckpointTimeout()).isEqualTo(90_000);
        assertThat(checkpoints.isUnalignedCheckpointsEnabled()).isTrue();
        assertThat(checkpoints.getAlignedCheckpointTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pipeline", "summary"})
    void unalignedCheckpointsCanBeTurnedOff(String job) {
        CheckpointConfig checkpoints = configured(job, new JobSettings(2, Duration.ofSeconds(3), 64,
                Duration.ofSeconds(60), "blue", null, false, null, null));

        assertThat(checkpoints.isUnalignedCheckpointsEnabled()).isFalse();
        assertThat(checkpoints.getCheckpointTimeout()).isEqualTo(Duration.ofMinutes(2).toMillis());
    }

    /** The checkpointing of a fresh environment after {@code job}'s {@code configure()}. */
    private static CheckpointConfig configured(String job, JobSettings settings) {
        SluiceConfig config = new SluiceConfig(new KafkaSettings("broker:9092", "sluice", "avro", null, Map.of()),
                settings, null, null, null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (job.equals("pipeline")) {
            new InferencePipeline(config, Catalog.parse(TestCatalog.DOCUMENT, "test catalog")).configure(env);
        } else {
            new MetricsSummaryJob(config).configure(env);
        }
        return env.getCheckpointConfig();
    }
}
