package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.schema.Completion;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.Task;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job fails once mid-stream, restarts from its last checkpoint, and still writes each completion once.
 * Checkpoints are 4 s apart, so when the failure comes the second wave's completions have been written to Kafka
 * inside a transaction that never commits; the restored job computes them again.
 */
class ExactlyOnceRecoveryITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final int FIRST_WAVE = 60;
    private static final int SECOND_WAVE = 60;
    private static final String TRIGGER = "fail-trigger";
    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("recovery", Duration.ofSeconds(4));
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    /** Throws the first time it sees the trigger record; the restored job lets it pass. */
    static final class FailOnce implements MapFunction<SourceRecord, SourceRecord> {
        static final AtomicBoolean FAILED = new AtomicBoolean();

        @Override
        public SourceRecord map(SourceRecord record) {
            if (new String(record.value(), StandardCharsets.UTF_8).contains(TRIGGER)
                    && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + record.offset());
            }
            return record;
        }
    }

    @Test
    void completionsStayExactlyOnceAcrossATaskFailure() throws Exception {
        Configuration restart = new Configuration();
        restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment(restart);
        InferencePipeline pipeline = env.pipeline();
        pipeline.configure(flink);
        pipeline.attach(pipeline.source(flink).map(new FailOnce()).uid("fail-once"));
        JobClient job = flink.executeAsync(InferencePipeline.JOB_NAME);

        Set<String> ids = new HashSet<>();
        try (OutputCollector output = new OutputCollector(env.config.kafka())) {
            env.publish(wave("first", FIRST_WAVE, ids));
            // The first wave committed: a checkpoint completed before the failure.
            assertThat(output.collectUntil(() -> output.completions().size() >= FIRST_WAVE, Duration.ofSeconds(60)))
                    .isTrue();
            // A commit was just seen, so the next checkpoint is seconds away: the second wave is processed and
            // written, uncommitted, before the trigger fails the job.
            env.publish(wave("second", SECOND_WAVE, ids));
            Thread.sleep(1_500);
            ids.add(TRIGGER);
            env.publish(List.of(PipelineTestEnv.json(TRIGGER, "{\"request_id\": \"" + TRIGGER
                    + "\", \"tenant\": \"acme\", \"task\": \"chat\", \"prompt\": \"fail now\"}")));
            boolean done = output.collectUntil(() -> output.completions().size() >= ids.size(), Duration.ofSeconds(90));
            output.drain(Duration.ofSeconds(3));
            job.cancel().get();

            assertThat(FailOnce.FAILED).as("the injected failure happened").isTrue();
            assertThat(done).as("every completion arrived").isTrue();
            assertThat(output.completions()).extracting(Completion::getRequestId)
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
            assertThat(output.metrics()).extracting(InferenceMetric::getRequestId)
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
            assertThat(output.rejects()).isEmpty();
        }
    }

    private static List<SampleRecord> wave(String name, int size, Set<String> ids) {
        List<SampleRecord> records = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String id = name + "-" + i;
            ids.add(id);
            records.add(PipelineTestEnv.avro(PipelineTestEnv.request(id, i % 2 == 0 ? Task.CHAT : Task.SUMMARIZE,
                    "prompt " + id)));
        }
        return records;
    }
}
