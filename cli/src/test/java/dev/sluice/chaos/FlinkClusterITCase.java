package dev.sluice.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real process failure: {@code kill -9} of a Flink process mid-run, under steady load, each prompt checked per
 * request id as a {@code read_committed} consumer reads the outputs. The jobs run as an operator runs them: the lean
 * job jar ({@code flink-jobs/target/sluice-job.jar}) on a standalone cluster (a JobManager and two one-slot
 * TaskManagers, each its own JVM, on Flink's classpath alone), submitted with Flink's own client; and the command
 * line's jar as {@code java -jar sluice.jar run}, a local Flink in a JVM of its own. The broker and the emulated
 * servers run in this JVM, on loopback. Logs, configuration and checkpoints stay in the temporary directory when a
 * test fails.
 */
class FlinkClusterITCase {

    private static final int PROMPTS = 300;
    private static final double PER_SECOND = 30;
    private static final Path SLUICE_JAR = Path.of(Objects.requireNonNull(System.getProperty("sluice.jar"),
            "sluice.jar: run with Maven's failsafe, which runs after the jar is packaged"));
    private static final Path JOB_JAR = Path.of(Objects.requireNonNull(System.getProperty("sluice.job-jar"),
            "sluice.job-jar: run with Maven's failsafe, after flink-jobs has packaged it"));
    private static ChaosStack stack;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @BeforeAll
    static void start() {
        stack = ChaosStack.start(10);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /**
     * The job runs at parallelism 1 on one of two one-slot TaskManagers; that one is killed, the JobManager notices
     * within its heartbeat settings, and the job restores its last checkpoint in the standby's slot.
     */
    @Test
    void aTaskManagerKilledMidRunIsReplacedByTheStandbyAndEveryPromptEndsOnce() throws Exception {
        SluiceConfig config = stack.config("cluster-tm-kill", 1);
        Path file = writeConfig(config, dir.resolve("sluice"));
        Path checkpoints = dir.resolve("checkpoints");
        try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, Map.of(
                // A heartbeat a second, a dead TaskManager given up after 8 s (50 s by default); a refused
                // heartbeat RPC (the process is gone) gives it up sooner still.
                HeartbeatManagerOptions.HEARTBEAT_INTERVAL.key(), "1 s",
                HeartbeatManagerOptions.HEARTBEAT_TIMEOUT.key(), "8 s",
                RestartStrategyOptions.RESTART_STRATEGY.key(), "fixed-delay",
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS.key(), "10",
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY.key(), "1 s",
                CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), checkpoints.toUri().toString(),
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION.key(),
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION.name()))) {
            String job = cluster.submit(JOB_JAR, "run", "--config", file.toString(), "--job", "pipeline");
            AtomicReference<String> killed = new AtomicReference<>();
            AtomicReference<Instant> killedAt = new AtomicReference<>();
            ChaosReport report = new SteadyLoad(config, "cluster-tm-kill", PROMPTS, PER_SECOND)
                    .run("taskmanager-kill", () -> {
                        killed.set(cluster.busyTaskManager());
                        killedAt.set(Instant.now());
                        cluster.kill(killed.get());
                    }).withMeasuredBeside(Map.of(), cluster.peakTaskManagerHeapAfterGcMb());
            List<StandaloneCluster.Failure> failures = cluster.failures(job);
            Optional<StandaloneCluster.Failure> noticed = failures.stream()
                    .filter(failure -> failure.exception().contains(killed.get())).findFirst();
            String state = cluster.jobState(job);
            String runsOn = cluster.busyTaskManager();
            print(report, "killed %s, which the JobManager noticed after %s; %d failure(s) recorded; the job runs"
                    + " on %s", killed.get(), noticed.map(failure -> String.format(Locale.ROOT, "%.1f s",
                            Duration.between(killedAt.get(), failure.at()).toMillis() / 1e3)).orElse("-"),
                    failures.size(), runsOn);
            cluster.cancel(job);

            assertEveryPromptEndedOnce(report);
            assertThat(noticed).as("a failure naming %s among those the JobManager recorded: %s", killed.get(),
                    failures).isPresent();
            assertThat(state).isEqualTo("RUNNING");
            assertThat(runsOn).as("the TaskManager the job runs on").isNotEqualTo(killed.get());
            assertThat(RetainedCheckpoint.latest(checkpoints)).as("a checkpoint retained on cancellation")
                    .hasValueSatisfying(checkpoint -> assertThat(checkpoint.jobId()).isEqualTo(job));
        }
    }

    /**
     * {@code sluice run} on its own local Flink is killed; a new one is started with
     * {@code -D execution.state-recovery.path=} its last retained checkpoint, as an operator would start it.
     */
    @Test
    void theSluiceRunProcessKilledMidRunResumesFromItsLastRetainedCheckpoint() throws Exception {
        SluiceConfig config = stack.config("process-kill", 2);
        Path file = writeConfig(config, dir.resolve("sluice"));
        Path checkpoints = dir.resolve("checkpoints");
        AtomicReference<JavaProcess> run = new AtomicReference<>(sluiceRun(1, file, checkpoints, null));
        JavaProcess first = run.get();
        AtomicReference<RetainedCheckpoint> restored = new AtomicReference<>();
        try {
            ChaosReport report = new SteadyLoad(config, "process-kill", PROMPTS, PER_SECOND)
                    .run("process-kill", () -> {
                        run.get().kill();
                        restored.set(RetainedCheckpoint.latest(checkpoints).orElseThrow(
                                () -> new IllegalStateException("no checkpoint retained in " + checkpoints)));
                        run.set(sluiceRun(2, file, checkpoints, restored.get()));
                    });
            report = report.withMeasuredBeside(Map.of(), Math.max(first.peakHeapAfterGcMb(),
                    run.get().peakHeapAfterGcMb()));
            boolean running = !run.get().exitedByItself();
            RetainedCheckpoint latest = RetainedCheckpoint.latest(checkpoints).orElseThrow();
            print(report, "restored from checkpoint %d of job %s; the restored job has reached checkpoint %d",
                    restored.get().id(), restored.get().jobId(), latest.id());

            assertEveryPromptEndedOnce(report);
            assertThat(running).as("the restarted process still runs: %s", run.get().output()).isTrue();
            assertThat(latest.jobId()).as("the restarted job checkpoints as a job of its own")
                    .isNotEqualTo(restored.get().jobId());
            assertThat(latest.id()).as("and numbers on from the checkpoint it restored")
                    .isGreaterThan(restored.get().id());
        } finally {
            run.get().close();
        }
    }

    /**
     * {@code java -jar sluice.jar run --job pipeline}, checkpointing into {@code checkpoints} and keeping them as
     * the operator's restore points, resuming from {@code restore} unless it is null.
     */
    private JavaProcess sluiceRun(int attempt, Path config, Path checkpoints, RetainedCheckpoint restore)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("-Xmx1g", "-jar", SLUICE_JAR.toString(),
                "run", "--config", config.toString(), "--job", "pipeline",
                "-D", CheckpointingOptions.CHECKPOINTS_DIRECTORY.key() + "=" + checkpoints.toUri(),
                "-D", CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION.key() + "="
                        + ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION.name()));
        if (restore != null) {
            command.addAll(List.of("-D", StateRecoveryOptions.SAVEPOINT_PATH.key() + "=" + restore.path()));
        }
        return JavaProcess.start("sluice-run-" + attempt, dir, Map.of("SLUICE_LOG_LEVEL", "INFO"), command);
    }

    /** {@code config} as {@code sluice.yaml} in {@code folder}, and beside it the stack's catalog. */
    private static Path writeConfig(SluiceConfig config, Path folder) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(config.catalog()), stack.catalog.toYaml());
        Path file = folder.resolve("sluice.yaml");
        Files.writeString(file, Yaml.write(config));
        assertThat(SluiceConfig.load(file, Map.of())).as("sluice.yaml as written").isEqualTo(config);
        return file;
    }

    private static void assertEveryPromptEndedOnce(ChaosReport report) {
        assertThat(report.lost()).as("lost").isZero();
        assertThat(report.duplicated()).as("duplicated").isZero();
        assertThat(report.rejects()).as("rejects").isEmpty();
        assertThat(report.partial()).as("completions with partial text").isZero();
        assertThat(report.completions()).as("completions").isEqualTo(report.offered());
    }

    /**
     * The scenario's figures, for {@code docs/operators.md} ("Run on a Flink cluster"): a line a consumer of the
     * outputs would recognise, then what else.
     */
    private static void print(ChaosReport report, String format, Object... args) {
        System.out.printf(Locale.ROOT, "%s: offered %d, done %d, rejects %s, lost %d, duplicated %d, recovery %.1f s"
                        + " (longest pause in committed completions), %.1f s in all, peak heap after GC %.0f MB"
                        + " (the job's processes, from their GC logs); %s%n", report.scenario(),
                report.offered(), report.completions(), report.rejects().isEmpty() ? "none" : report.rejects(),
                report.lost(), report.duplicated(), report.recoverySeconds(), report.seconds(),
                report.peakHeapAfterGcMb(), String.format(Locale.ROOT, format, args));
    }
}
