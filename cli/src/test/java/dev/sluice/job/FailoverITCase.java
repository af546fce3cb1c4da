package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.schema.Completion;
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
 * Summaries are routed to text-model first and chat-model next. With text-model's server down and the gateway's
 * retries spent before its circuit can open, each request fails over to chat-model instead of being rejected.
 */
class FailoverITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final int PROMPTS = 20;
    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("failover");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void requestsTheirModelsServersFailAreServedByTheNextEligibleModel() throws Exception {
        String textModel = env.emulators.endpoints().get("text-model");
        EmulatorServer down = env.emulators.servers().stream().filter(s -> s.endpoint().equals(textModel))
                .findFirst().orElseThrow();
        // Down before the job starts: it fails its readiness checks, and so does its model.
        down.faults().unavailableFor(Duration.ofMinutes(2));
        SluiceConfig config = env.config;
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
        InferencePipeline pipeline = new InferencePipeline(config, env.catalog);
        pipeline.configure(flink);
        pipeline.attach(pipeline.source(flink));
        JobClient job = flink.executeAsync(InferencePipeline.JOB_NAME);
        try (OutputCollector output = new OutputCollector(config.kafka())) {
            env.publish(summaries());
            boolean done = output.collectUntil(() -> output.outcomes() >= PROMPTS, Duration.ofSeconds(60));
            output.drain(Duration.ofSeconds(2));
            job.cancel().get();

            assertThat(done).isTrue();
            assertThat(output.rejects()).isEmpty();
            assertThat(output.completions()).hasSize(PROMPTS).extracting(Completion::getModelId)
                    .containsOnly("chat-model");
            // The first ones failed over, for want of a ready replica; then routing passed the model over.
            assertThat(output.completions()).filteredOn(c -> c.getRoute().getChosenBecause()
                    .startsWith("failed over from text-model")).isNotEmpty()
                    .allSatisfy(c -> assertThat(c.getRoute().getExcluded().get(0).getReason())
                            .startsWith("failover: no replica is ready: " + textModel));
        }
    }

    private static List<SampleRecord> summaries() {
        List<SampleRecord> records = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            records.add(PipelineTestEnv.avro(PipelineTestEnv.request("sum-" + i, Task.SUMMARIZE,
                    "Summarise report " + i)));
        }
        return records;
    }
}
