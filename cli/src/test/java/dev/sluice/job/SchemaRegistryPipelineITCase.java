package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.SchemaRegistrySettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.registry.ApicurioRegistry;
import dev.sluice.serde.RegistryFraming;
import dev.sluice.registry.SchemaRegistryClient;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.SchemaHistory;
import dev.sluice.terminal.TopicReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

/**
 * A registry-framed producer and consumer through the pipeline, against a real Apicurio Registry that requires basic
 * authentication: prompts framed with the id of {@code PromptRequest} as it was before the bulk fields, on one topic
 * with single-object and JSON ones; completions written in the registry's framing, their schema registered by the
 * pipeline on first use, and read back by a consumer that knows nothing but the registry.
 */
class SchemaRegistryPipelineITCase {

    private static final String USER = "sluice";
    private static final String PASSWORD = "registry-secret";
    private static final Schema REQUEST_V2 = SchemaHistory.version(PromptRequest.getClassSchema(), 2);

    @Test
    void registryFramedPromptsAndCompletionsRoundTrip() throws Exception {
        try (ApicurioRegistry registry = ApicurioRegistry.start("pipeline", Map.of(USER, PASSWORD));
                PipelineTestEnv env = new PipelineTestEnv("reg")) {
            SchemaRegistrySettings settings = new SchemaRegistrySettings(registry.ccompatUrl(),
                    USER + ":" + PASSWORD, null, null, null, null, null);
            SluiceConfig config = env.registryOutputs(settings);
            // The producer's side, as a Confluent serializer does it: register the writer schema, frame with its id.
            SchemaRegistryClient producer = new SchemaRegistryClient(settings.toClientSettings());
            int id = producer.idFor(env.config.kafka().topics().prompts(), false, REQUEST_V2);
            List<String> framedIds = List.of("framed-1", "framed-2", "framed-3");
            List<SampleRecord> records = new ArrayList<>();
            for (String requestId : framedIds) {
                records.add(new SampleRecord(requestId, RegistryFraming.frame(id, requestV2(requestId))));
            }
            records.add(PipelineTestEnv.avro(PipelineTestEnv.request("single-object-1", Task.CHAT, "Hello")));
            records.add(PipelineTestEnv.json("json-1",
                    "{\"request_id\": \"json-1\", \"tenant\": \"acme\", \"task\": \"chat\", \"prompt\": \"Hi\"}"));

            JobClient job = env.startPipeline(config);
            try {
                env.publish(records);
                Map<String, List<GenericRecord>> completions = FramedCompletions.read(config,
                        new SchemaRegistryClient(settings.toClientSettings()), 5, Duration.ofSeconds(90));

                assertThat(completions).containsOnlyKeys("framed-1", "framed-2", "framed-3", "single-object-1",
                        "json-1");
                completions.forEach((requestId, each) -> assertThat(each).as(requestId).hasSize(1));
                assertThat(completions.get("framed-1").get(0).getSchema().getFullName())
                        .isEqualTo("dev.sluice.schema.Completion");
                assertThat(subjects(registry)).as("registered by the pipeline on first use")
                        .contains("reg.completions-value", "reg.metrics-value");
                // Sluice's own readers (tail, top, bulk collect, the metrics-summary job) read the framing too.
                try (TopicReader<InferenceMetric> metrics = new TopicReader<>(config.kafka(),
                        config.kafka().topics().metrics(), InferenceMetric.getClassSchema(), true)) {
                    assertThat(metrics.readToEnd()).extracting(InferenceMetric::getRequestId)
                            .containsExactlyInAnyOrderElementsOf(completions.keySet());
                }
            } finally {
                job.cancel().get();
            }
        }
    }

    private static byte[] requestV2(String requestId) throws IOException {
        GenericRecord request = new GenericRecordBuilder(REQUEST_V2).set("request_id", requestId).set("tenant", "acme")
                .set("task", new GenericData.EnumSymbol(REQUEST_V2.getField("task").schema(), "SUMMARIZE"))
                .set("prompt", "Summarize: the registry framed this").build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(REQUEST_V2).write(request, encoder);
        return out.toByteArray();
    }

    private static List<String> subjects(ApicurioRegistry registry) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(registry.ccompatUrl() + "/subjects")).header("Authorization", "Basic " + basic).build(),
                HttpResponse.BodyHandlers.ofString());
        return List.of(new ObjectMapper().readValue(answer.body(), String[].class));
    }
}
