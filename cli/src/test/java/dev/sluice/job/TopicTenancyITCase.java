package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.Tenancy;
import dev.sluice.config.TenantTopics;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.schema.Completion;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.serde.RecordCodec;
import dev.sluice.terminal.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code tenancy: topic}: each tenant writes its own prompts topic and reads its own outputs. The topic names the
 * tenant, a record that claims another is rejected to the topic's tenant, and a tenant whose topics are created
 * while the job runs is served without a restart.
 */
class TopicTenancyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("tenancy", Tenancy.topic);
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void theTopicNamesTheTenantAndOutputsStayWithIt() throws Exception {
        KafkaSettings kafka = env.config.kafka();
        TenantTopics acme = kafka.topics().of("acme");
        TenantTopics globex = kafka.topics().of("globex");
        List<SampleRecord> acmeRecords = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            acmeRecords.add(prompt("acme-" + i, "acme"));
        }
        // Written to acme's topic, claiming globex: the claim is refused, and acme is told.
        acmeRecords.add(prompt("spoof-single", "globex"));
        acmeRecords.add(PipelineTestEnv.json("spoof-batch", "{\"tenant\": \"globex\", \"requests\": ["
                + "{\"request_id\": \"spoof-batch-0\", \"task\": \"chat\", \"prompt\": \"hi\"},"
                + "{\"request_id\": \"spoof-batch-1\", \"task\": \"chat\", \"prompt\": \"hi\"}]}"));
        acmeRecords.add(prompt("spoof-long", "g".repeat(100_000)));
        acmeRecords.add(PipelineTestEnv.json("noise", "not json at all"));
        // Two items of a globex run, which acme tries to cancel from its own run commands topic.
        List<SampleRecord> globexRecords = List.of(runItem("globex-0", 0), runItem("globex-1", 1));
        RunCommand forgedCancel = RunCommand.newBuilder().setRunId("nightly").setTenant("globex")
                .setAction(RunAction.CANCEL).setIssuedAt(System.currentTimeMillis()).build();

        List<DeadLetter> deadLetters;
        JobClient job = env.startPipeline();
        PromptPublisher.publish(kafka, acme.runCommands(), List.of(new SampleRecord("globex/nightly",
                new RecordCodec<RunCommand>(RunCommand.getClassSchema()).encode(forgedCancel, false))));
        // A tenant onboarded while the job runs: its prompts are found by the source's topic pattern.
        env.kafka.createTenantTopics(kafka.topics(), "initech", 2);
        try (OutputCollector output = OutputCollector.ofTenants(kafka, List.of("acme", "globex", "initech"))) {
            PromptPublisher.publish(kafka, acme.prompts(), acmeRecords);
            PromptPublisher.publish(kafka, globex.prompts(), globexRecords);
            PromptPublisher.publish(kafka, kafka.topics().of("initech").prompts(),
                    List.of(prompt("initech-0", "initech")));

            boolean done = output.collectUntil(
                    () -> output.completions().size() >= 8 && output.rejects().size() >= 5, Duration.ofSeconds(90));
            output.drain(Duration.ofSeconds(3));
            deadLetters = UnreadableRecords.awaitDeadLetters(kafka, 1, Duration.ofSeconds(30));
            assertThat(done).as("outcomes: completions %s, rejects %s",
                    output.completions().stream().map(Completion::getRequestId).toList(),
                    output.rejects().stream().map(r -> r.getReason() + " " + r.getRequestId()).toList()).isTrue();
        } finally {
            job.cancel().get();
        }

        // Each completion lies in its own tenant's topic and nowhere else.
        assertThat(ids(TopicTenancyITCase.<Completion>all(kafka, acme.completions(), Completion.getClassSchema())))
                .containsExactlyInAnyOrder("acme/acme-0", "acme/acme-1", "acme/acme-2", "acme/acme-3", "acme/acme-4");
        assertThat(ids(TopicTenancyITCase.<Completion>all(kafka, globex.completions(), Completion.getClassSchema())))
                .containsExactlyInAnyOrder("globex/globex-0", "globex/globex-1");
        assertThat(ids(TopicTenancyITCase.<Completion>all(kafka, kafka.topics().of("initech").completions(),
                Completion.getClassSchema()))).containsExactly("initech/initech-0");
        assertThat(TopicTenancyITCase.<Reject>all(kafka, globex.rejects(), Reject.getClassSchema())).isEmpty();

        List<Reject> acmeRejects = all(kafka, acme.rejects(), Reject.getClassSchema());
        Map<String, Reject> byId = acmeRejects.stream().filter(r -> r.getRequestId() != null)
                .collect(Collectors.toMap(Reject::getRequestId, Function.identity()));
        assertThat(byId.keySet()).contains("spoof-single", "spoof-batch-0", "spoof-batch-1", "spoof-long");
        for (String id : Set.of("spoof-single", "spoof-batch-0", "spoof-batch-1")) {
            Reject reject = byId.get(id);
            assertThat(reject.getReason()).as(id).isEqualTo(RejectReason.TENANT_MISMATCH);
            assertThat(reject.getTenant()).as(id).isEqualTo("acme");
            assertThat(reject.getMessage()).as(id).contains(acme.prompts()).hasSizeLessThan(400);
        }
        // A claimed tenant over its cap fails intake first; the reject still goes to acme, without the claim.
        assertThat(byId.get("spoof-long").getReason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(byId.get("spoof-long").getTenant()).isEqualTo("acme");
        assertThat(byId.get("spoof-long").getMessage()).hasSizeLessThan(400);
        assertThat(acmeRejects).filteredOn(r -> r.getReason() == RejectReason.DECODE_ERROR)
                .singleElement().satisfies(r -> assertThat(r.getTenant()).isEqualTo("acme"));
        // The forged cancel did not act for globex (its items completed above); it is kept as a dead letter.
        assertThat(deadLetters).singleElement().satisfies(letter -> {
                    assertThat(letter.getSourceTopic()).isEqualTo(acme.runCommands());
                    assertThat(letter.getReason()).startsWith("TENANT_MISMATCH");
                });
    }

    private static <T extends SpecificRecordBase> List<T> all(KafkaSettings kafka, String topic, Schema schema) {
        try (TopicReader<T> reader = new TopicReader<>(kafka, topic, schema, true)) {
            return reader.readToEnd();
        }
    }

    private static List<String> ids(List<Completion> completions) {
        return completions.stream().map(c -> c.getTenant() + "/" + c.getRequestId()).toList();
    }

    private static SampleRecord runItem(String id, int index) {
        return PipelineTestEnv.json(id, "{\"request_id\": \"" + id + "\", \"tenant\": \"globex\", \"run_id\": "
                + "\"nightly\", \"item_index\": " + index + ", \"task\": \"chat\", \"prompt\": \"item " + index
                + "\", \"params\": {\"max_tokens\": 8}}");
    }

    private static SampleRecord prompt(String id, String tenant) {
        return PipelineTestEnv.json(id, "{\"request_id\": \"" + id + "\", \"tenant\": \"" + tenant
                + "\", \"task\": \"chat\", \"prompt\": \"hello from " + id + "\", \"params\": {\"max_tokens\": 8}}");
    }

}
