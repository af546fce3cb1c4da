package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.KafkaSettings;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.schema.Completion;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RoutingHints;
import dev.sluice.schema.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records with oversized fields among valid prompts: each is one reject, every prompt completes, and the job never
 * fails. Its sinks run at the smallest {@code max.request.size} they accept, so an output that copied an oversized
 * field would fail the sink; the job may not restart, so such a failure would fail the test at once.
 */
class HostileRecordsITCase {

    private static final Pattern FIELD = Pattern.compile("field '([^']+)'");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("hostile", Duration.ofMillis(500), EmbeddedKafka.start(),
                Map.of("max.request.size", String.valueOf(RecordFit.MIN_MAX_REQUEST_SIZE)));
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void everyHostileRecordIsOneRejectAndEveryValidPromptCompletes() throws Exception {
        List<SampleRecord> records = new ArrayList<>();
        List<String> valid = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            valid.add("json-" + i);
            records.add(PipelineTestEnv.json("json-" + i, "{\"request_id\": \"json-" + i + "\", \"tenant\": \"acme\", "
                    + "\"task\": \"chat\", \"prompt\": \"question " + i + "\"}"));
            PromptRequest request = PipelineTestEnv.request("avro-" + i, Task.CHAT, "hello " + i);
            valid.add(request.getRequestId());
            records.add(PipelineTestEnv.avro(request));
        }
        String huge = "t".repeat(600_000);
        records.add(PipelineTestEnv.json("huge-tenant", "{\"request_id\": \"huge-tenant\", \"tenant\": \"" + huge
                + "\", \"task\": \"chat\", \"prompt\": \"x\"}"));
        records.add(PipelineTestEnv.json("huge-batch", "{\"tenant\": \"" + huge + "\", \"requests\": ["
                + "{\"request_id\": \"b-1\", \"task\": \"chat\", \"prompt\": \"x\"},"
                + "{\"request_id\": \"b-2\", \"task\": \"chat\", \"prompt\": \"y\"}]}"));
        records.add(PipelineTestEnv.json("huge-id", "{\"request_id\": \"" + "r".repeat(300_000)
                + "\", \"tenant\": \"acme\", \"task\": \"chat\", \"prompt\": \"x\"}"));
        records.add(PipelineTestEnv.avro(PromptRequest.newBuilder(PipelineTestEnv.request("huge-stop", Task.CHAT, "x"))
                .setParams(GenerationParams.newBuilder().setStop(List.of("s".repeat(300_000))).build()).build()));
        records.add(PipelineTestEnv.avro(PromptRequest.newBuilder(PipelineTestEnv.request("huge-hint", Task.CHAT, "x"))
                .setHints(RoutingHints.newBuilder().setPreferredModel("m".repeat(200_000)).build()).build()));
        records.add(PipelineTestEnv.json("empty-batch", "{\"tenant\": \"acme\", \"requests\": []}"));
        int hostile = 6;

        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        JobClient job = env.startPipeline(noRestarts);
        // The publisher is not one of the job's sinks: it sends the hostile records at Kafka's default size limit.
        KafkaSettings kafka = env.config.kafka();
        PromptPublisher.publish(new KafkaSettings(kafka.bootstrapServers(), kafka.topicPrefix(), kafka.outputFormat(),
                kafka.transactionTimeout(), Map.of()), records);
        try (OutputCollector output = new OutputCollector(kafka)) {
            boolean done = output.collectUntil(
                    () -> output.completions().size() >= valid.size() && output.rejects().size() >= hostile,
                    Duration.ofSeconds(60));
            output.drain(Duration.ofSeconds(2));
            JobStatus status = job.getJobStatus().get();
            job.cancel().get();

            assertThat(done).as("outcomes arrived: completions %s, rejects %s",
                    output.completions().stream().map(Completion::getRequestId).toList(),
                    output.rejects().stream().map(Reject::getMessage).toList()).isTrue();
            assertThat(status).as("no restarts are allowed: a failure would have failed the job")
                    .isEqualTo(JobStatus.RUNNING);
            assertThat(output.completions()).extracting(Completion::getRequestId)
                    .containsExactlyInAnyOrderElementsOf(valid);
            assertThat(output.rejects()).hasSize(hostile)
                    .allSatisfy(r -> assertThat(r.getReason()).isEqualTo(RejectReason.INVALID_FIELD))
                    .extracting(r -> r.getSourcePartition() + "@" + r.getSourceOffset()).doesNotHaveDuplicates();
            assertThat(output.rejects()).extracting(HostileRecordsITCase::field).containsExactlyInAnyOrder(
                    "tenant", "PromptBatch.tenant", "request_id", "params.stop[0]", "hints.preferred_model",
                    "batch has no requests");
            assertThat(output.rejects()).allSatisfy(r -> {
                assertThat(r.getTenant()).isIn(null, "acme");
                assertThat(r.getMessage()).hasSizeLessThan(Rejects.MAX_MESSAGE_CHARS);
            });
        }
    }

    /** The field a reject's message names, or the whole message when it names none. */
    private static String field(Reject reject) {
        Matcher matcher = FIELD.matcher(reject.getMessage());
        return matcher.find() ? matcher.group(1) : reject.getMessage();
    }

}
