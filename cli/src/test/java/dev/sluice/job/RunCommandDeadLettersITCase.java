package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bulk.RunPublisher;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import dev.sluice.terminal.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pipeline on a MiniCluster with records on its run commands topic that are not run commands. */
class RunCommandDeadLettersITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("dlq");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void unreadableCommandsAreKeptOnceAndACommandAfterThemStillApplies() throws Exception {
        JobClient job = env.startPipeline();
        try {
            List<UnreadableRecords.Sent> hostile = UnreadableRecords.send(env.config.kafka(),
                    env.config.kafka().topics().runCommands(), RunCommand.getClassSchema());
            try (RunPublisher publisher = new RunPublisher(env.config.kafka())) {
                publisher.send(RunCommand.newBuilder().setRunId("doomed").setTenant("acme")
                        .setAction(RunAction.CANCEL).setIssuedAt(System.currentTimeMillis()).build());
            }

            List<DeadLetter> deadLetters = UnreadableRecords.awaitDeadLetters(env.config.kafka(), hostile.size(),
                    Duration.ofSeconds(90));

            UnreadableRecords.assertKeptOnce(deadLetters, hostile, InferencePipeline.JOB_NAME);
            assertThat(awaitStatus("doomed", RunStatus.CANCELLED)).as("the cancel behind them applied").isTrue();
        } finally {
            job.cancel().get();
        }
    }

    private static boolean awaitStatus(String runId, RunStatus status) {
        List<RunState> states = new ArrayList<>();
        try (TopicReader<RunState> runs = new TopicReader<>(env.config.kafka(), env.config.kafka().topics().runs(),
                RunState.getClassSchema(), true)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                runs.poll(Duration.ofMillis(200), states::add);
                if (states.stream().anyMatch(s -> s.getRunId().equals(runId) && s.getStatus() == status)) {
                    return true;
                }
            }
        }
        return false;
    }
}
