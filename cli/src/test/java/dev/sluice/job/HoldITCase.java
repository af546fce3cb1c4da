package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.JobSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every server of every model down for four times the request timeout: batch work is held and completed once they
 * return, none of it rejected; interactive work, held only for the request timeout by default, is rejected.
 */
class HoldITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final int PROMPTS = 10;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("hold");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void batchWorkOutlastsAnOutageOfEveryServerAndInteractiveWorkIsRejectedAtItsTimeout() throws Exception {
        JobSettings job = env.config.job();
        SluiceConfig config = new SluiceConfig(env.config.kafka(), new JobSettings(job.parallelism(),
                job.checkpointInterval(), job.maxInFlight(), REQUEST_TIMEOUT, job.instanceId()),
                env.config.limits(), env.config.gateway(), null);
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
        InferencePipeline pipeline = new InferencePipeline(config, env.catalog);
        pipeline.configure(flink);
        pipeline.attach(pipeline.source(flink));
        JobClient running = flink.executeAsync(InferencePipeline.JOB_NAME);
        try (OutputCollector output = new OutputCollector(config.kafka())) {
            Duration outage = REQUEST_TIMEOUT.multipliedBy(4);
            env.emulators.servers().forEach((EmulatorServer server) -> server.faults().unavailableFor(outage));
            long outageEndsNanos = System.nanoTime() + outage.toNanos();
            env.publish(requests("bulk", Priority.BATCH));
            env.publish(requests("chat", Priority.INTERACTIVE));
            boolean done = output.collectUntil(() -> output.outcomes() >= 2 * PROMPTS, Duration.ofSeconds(90));
            output.drain(Duration.ofSeconds(2));
            running.cancel().get();

            assertThat(done).isTrue();
            assertThat(output.completions()).extracting(Completion::getRequestId)
                    .containsExactlyInAnyOrderElementsOf(ids("bulk"));
            assertThat(output.completionsReadAtNanos()).allSatisfy(at -> assertThat(at).isGreaterThan(outageEndsNanos));
            assertThat(output.rejects()).extracting(Reject::getRequestId)
                    .containsExactlyInAnyOrderElementsOf(ids("chat"));
        }
    }

    private static List<SampleRecord> requests(String prefix, Priority priority) {
        List<SampleRecord> records = new ArrayList<>();
        for (String id : ids(prefix)) {
            records.add(PipelineTestEnv.avro(PromptRequest.newBuilder(
                    PipelineTestEnv.request(id, Task.SUMMARIZE, "Summarise " + id)).setPriority(priority).build()));
        }
        return records;
    }

    private static List<String> ids(String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            ids.add(prefix + "-" + i);
        }
        return ids;
    }
}
