package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Constraints;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.OutputStructure;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole job on a MiniCluster between a real broker and the emulator over sockets. */
class InferencePipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final String ORDER_SCHEMA = "{\"type\": \"object\", \"required\": [\"item\", \"quantity\"], "
            + "\"properties\": {\"item\": {\"type\": \"string\"}, \"quantity\": {\"type\": \"integer\", \"minimum\": 1}}}";
    private static final String WEATHER_PARAMETERS = "{\"type\": \"object\", \"required\": [\"city\"], "
            + "\"properties\": {\"city\": {\"type\": \"string\"}, \"unit\": {\"enum\": [\"celsius\", \"fahrenheit\"]}}}";

    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("e2e");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void everyPromptGetsExactlyOneCompletionAndEveryBadRecordAReject() throws Exception {
        List<SampleRecord> records = new ArrayList<>();
        Set<String> promptIds = new HashSet<>();
        Map<String, String> tenants = new HashMap<>();
        Task[] tasks = {Task.CHAT, Task.TRANSLATE, Task.SUMMARIZE, Task.CODE};
        for (int i = 0; i < 10; i++) {
            String id = "json-" + i;
            promptIds.add(id);
            tenants.put(id, "acme");
            records.add(PipelineTestEnv.json(id, "{\"request_id\": \"" + id + "\", \"tenant\": \"acme\", \"task\": \""
                    + tasks[i % 4].name().toLowerCase() + "\", \"prompt\": \"question " + i
                    + "\", \"target_language\": \"ja\", \"params\": {\"max_tokens\": 24}}"));
        }
        for (int i = 0; i < 10; i++) {
            PromptRequest request = PipelineTestEnv.request("avro-" + i, tasks[i % 4], "日本語の質問 " + i);
            promptIds.add(request.getRequestId());
            tenants.put(request.getRequestId(), "acme");
            records.add(PipelineTestEnv.avro(request));
        }
        // A deadline centuries away: the job must clamp it, not overflow it into one already past.
        PromptRequest farDeadline = PromptRequest.newBuilder(PipelineTestEnv.request("far-deadline", Task.CHAT, "hi"))
                .setDeadline(System.currentTimeMillis() + 10_000_000_000_000L).build();
        promptIds.add(farDeadline.getRequestId());
        tenants.put(farDeadline.getRequestId(), "acme");
        records.add(PipelineTestEnv.avro(farDeadline));
        // A producer's retry: the same tenant and id again, once as Avro and once as JSON. Served once.
        PromptRequest retried = PipelineTestEnv.request("retried", Task.CHAT, "sent twice");
        promptIds.add(retried.getRequestId());
        tenants.put(retried.getRequestId(), "acme");
        records.add(PipelineTestEnv.avro(retried));
        records.add(PipelineTestEnv.json("retried",
                "{\"request_id\": \"retried\", \"tenant\": \"acme\", \"task\": \"chat\", \"prompt\": \"sent twice\"}"));
        List<PromptRequest> avroBatch = new ArrayList<>();
        StringBuilder jsonBatch = new StringBuilder("{\"tenant\": \"globex\", \"run_id\": \"run-1\", \"requests\": [");
        for (int i = 0; i < 5; i++) {
            jsonBatch.append(i == 0 ? "" : ",").append("{\"request_id\": \"jb-").append(i)
                    .append("\", \"task\": \"summarize\", \"prompt\": \"document ").append(i).append("\"}");
            promptIds.add("jb-" + i);
            tenants.put("jb-" + i, "globex");
            PromptRequest item = PromptRequest.newBuilder(PipelineTestEnv.request("ab-" + i, Task.CHAT, "こんにちは " + i))
                    .setTenant("initech").build();
            avroBatch.add(item);
            promptIds.add(item.getRequestId());
            tenants.put(item.getRequestId(), "initech");
        }
        records.add(PipelineTestEnv.json("jb", jsonBatch.append("]}").toString()));
        records.add(new SampleRecord("ab", new RecordCodec<PromptBatch>(PromptBatch.getClassSchema())
                .encode(PromptBatch.newBuilder().setTenant("initech").setRequests(avroBatch).build(), false)));

        byte[] noise = {0x01, (byte) 0x9C, 0x44, 0x00, (byte) 0xFF};
        records.add(new SampleRecord(null, noise));
        records.add(PipelineTestEnv.json("bad-type",
                "{\"request_id\": \"bad-type\", \"tenant\": \"acme\", \"task\": \"chat\", \"prompt\": 42}"));
        records.add(PipelineTestEnv.json("bad-max",
                "{\"request_id\": \"bad-max\", \"tenant\": \"acme\", \"task\": \"chat\", \"prompt\": \"x\", "
                        + "\"params\": {\"max_tokens\": 0}}"));
        records.add(PipelineTestEnv.json("huge", "{\"tenant\": \"acme\", \"requests\": ["
                + "{\"request_id\": \"h\", \"task\": \"chat\", \"prompt\": \"x\"},".repeat(1000)
                + "{\"request_id\": \"h\", \"task\": \"chat\", \"prompt\": \"x\"}]}"));
        records.add(PipelineTestEnv.avro(PromptRequest.newBuilder(
                PipelineTestEnv.request("no-route", Task.EXTRACT, "describe this image"))
                .setConstraints(new Constraints(null, List.of("vision"))).build()));
        records.add(PipelineTestEnv.avro(PromptRequest.newBuilder(
                PipelineTestEnv.request("stranger", Task.CHAT, "hello")).setTenant("unknown-tenant").build()));
        // Structured output: JSON by the schema from the SGLang worker; none where only Triton without guided decoding
        // could serve it.
        promptIds.add("extract");
        tenants.put("extract", "acme");
        records.add(PipelineTestEnv.json("extract", "{\"request_id\": \"extract\", \"tenant\": \"acme\", \"task\": "
                + "\"extract\", \"prompt\": \"Extract: two lamps to Osaka\", \"params\": {\"max_tokens\": 200}, "
                + "\"structure\": {\"json_schema\": \"" + ORDER_SCHEMA.replace("\"", "\\\"") + "\"}}"));
        records.add(PipelineTestEnv.avro(PromptRequest.newBuilder(
                PipelineTestEnv.request("unstructurable", Task.CODE, "emit a diff"))
                .setConstraints(new Constraints(null, List.of("code")))
                .setStructure(OutputStructure.newBuilder().setJsonSchema(ORDER_SCHEMA).build()).build()));

        // Tools, their parameters written as OpenAI writes them: one call of a declared tool, from the tools model.
        promptIds.add("call");
        tenants.put("call", "acme");
        records.add(PipelineTestEnv.json("call", "{\"request_id\": \"call\", \"tenant\": \"acme\", \"task\": "
                + "\"chat\", \"prompt\": \"Is it raining in Osaka?\", \"params\": {\"max_tokens\": 100}, "
                + "\"structure\": {\"tools\": [{\"name\": \"get_weather\", \"description\": \"today's weather\", "
                + "\"parameters\": " + WEATHER_PARAMETERS + "}]}}"));

        JobClient job = env.startPipeline();
        env.publish(records);
        try (OutputCollector output = new OutputCollector(env.config.kafka())) {
            boolean done = output.collectUntil(
                    () -> output.completions().size() >= promptIds.size() && output.rejects().size() >= 8,
                    Duration.ofSeconds(90));
            // A few more checkpoints: anything committed twice would show up now.
            output.drain(Duration.ofSeconds(3));
            job.cancel().get();

            assertThat(done).as("all outcomes arrived: %d of %d completions, rejects %s", output.completions().size(),
                    promptIds.size(), output.rejects().stream().map(r -> r.getReason() + " " + r.getRequestId()).toList())
                    .isTrue();
            assertThat(output.completions()).extracting(Completion::getRequestId)
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(promptIds);
            assertThat(output.completions()).allSatisfy(completion -> {
                // Each completion carries its request's tenant, the one a consumer filters a tenant's results by.
                assertThat(completion.getTenant()).isEqualTo(tenants.get(completion.getRequestId()));
                assertThat(completion.getText()).isNotEmpty();
                assertThat(completion.getModelId()).isIn("chat-model", "text-model");
                assertThat(completion.getBackend())
                        .isEqualTo(completion.getModelId().equals("chat-model") ? "sglang" : "triton");
                assertThat(completion.getRoute().getChosenBecause()).startsWith("eligible under the tenant's policy");
                assertThat(completion.getRoute().getExcluded()).hasSize(1);
                // The test catalog's models are Apache-2.0, which asks nothing of whoever uses an answer.
                assertThat(completion.getLicense()).isEqualTo("apache-2.0");
                assertThat(completion.getObligations()).isEmpty();
            });
            // Keyed by tenant and id: two tenants' equal ids never share a key.
            for (int i = 0; i < output.completions().size(); i++) {
                Completion completion = output.completions().get(i);
                assertThat(output.completionKeys().get(i))
                        .isEqualTo(completion.getTenant() + "/" + completion.getRequestId());
            }
            Map<String, Completion> byId = output.completions().stream()
                    .collect(Collectors.toMap(Completion::getRequestId, Function.identity()));
            assertThat(byId.get("ab-0").getModelId()).isEqualTo("chat-model");
            // Streamed by the SGLang worker: the first token came before the last.
            assertThat(byId.get("ab-0").getTimings().getFirstTokenMs())
                    .isLessThan(byId.get("ab-0").getTimings().getFinishedMs());
            assertThat(byId.get("ab-0").getTenant()).isEqualTo("initech");
            assertThat(byId.get("jb-0").getModelId()).isEqualTo("text-model");
            assertThat(byId.get("jb-0").getRunId()).isEqualTo("run-1");

            Map<RejectReason, List<Reject>> rejects = output.rejects().stream()
                    .collect(Collectors.groupingBy(Reject::getReason));
            assertThat(rejects.keySet()).containsExactlyInAnyOrder(RejectReason.DECODE_ERROR,
                    RejectReason.SCHEMA_MISMATCH, RejectReason.INVALID_FIELD, RejectReason.TOO_LARGE,
                    RejectReason.NO_ELIGIBLE_MODEL, RejectReason.POLICY_DENIED, RejectReason.DUPLICATE_REQUEST,
                    RejectReason.STRUCTURE_UNSUPPORTED);
            assertThat(rejects.values()).allSatisfy(list -> assertThat(list).hasSize(1));
            Reject decodeError = rejects.get(RejectReason.DECODE_ERROR).get(0);
            assertThat(decodeError.getOriginal().array()).isEqualTo(noise);
            assertThat(decodeError.getSourceTopic()).isEqualTo(env.config.kafka().topics().prompts());
            assertThat(decodeError.getSourceOffset()).isNotNull();
            assertThat(rejects.get(RejectReason.INVALID_FIELD).get(0).getRequestId()).isEqualTo("bad-max");
            assertThat(rejects.get(RejectReason.NO_ELIGIBLE_MODEL).get(0).getRequestId()).isEqualTo("no-route");
            assertThat(rejects.get(RejectReason.NO_ELIGIBLE_MODEL).get(0).getMessage()).contains("capability");
            assertThat(rejects.get(RejectReason.POLICY_DENIED).get(0).getMessage())
                    .contains("'unknown-tenant' has no licence policy");
            assertThat(rejects.get(RejectReason.STRUCTURE_UNSUPPORTED).get(0).getRequestId())
                    .isEqualTo("unstructurable");
            assertThat(rejects.get(RejectReason.STRUCTURE_UNSUPPORTED).get(0).getMessage()).contains("1 by structure");
            assertThat(byId.get("extract").getModelId()).isEqualTo("chat-model");
            assertThat(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(ORDER_SCHEMA)
                    .validate(new ObjectMapper().readTree(byId.get("extract").getText()))).isEmpty();
            assertThat(byId.get("call").getModelId()).isEqualTo("chat-model");
            assertThat(byId.get("call").getToolCalls()).singleElement().satisfies(call -> {
                assertThat(call.getName()).isEqualTo("get_weather");
                assertThat(call.getId()).startsWith("call_");
                assertThat(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                        .getSchema(WEATHER_PARAMETERS).validate(new ObjectMapper().readTree(call.getArguments())))
                        .isEmpty();
            });
            assertThat(byId.get("extract").getToolCalls()).isEmpty();
            assertThat(rejects.get(RejectReason.DUPLICATE_REQUEST).get(0).getRequestId()).isEqualTo("retried");
            assertThat(rejects.get(RejectReason.DUPLICATE_REQUEST).get(0).getTenant()).isEqualTo("acme");

            // One metric per request that reached routing: every completion and the three refused ones.
            assertThat(output.metrics()).extracting(InferenceMetric::getRequestId).doesNotHaveDuplicates()
                    .hasSize(promptIds.size() + 3);
            assertThat(output.metrics()).filteredOn(m -> m.getOutcome().equals("OK"))
                    .allSatisfy(m -> assertThat(m.getCompletionTokens()).isPositive());
        }
    }

}
