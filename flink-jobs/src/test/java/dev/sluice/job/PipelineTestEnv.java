package dev.sluice.job;

import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.ModelDeployment;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A real broker and an emulated Triton server for one test class, and a config that points at both. */
final class PipelineTestEnv implements AutoCloseable {

    static final RecordCodec<PromptRequest> REQUESTS = new RecordCodec<>(PromptRequest.getClassSchema());

    final EmbeddedKafka kafka;
    final EmulatedDeployment emulators;
    final SluiceConfig config;

    PipelineTestEnv(String topicPrefix) {
        this(topicPrefix, Duration.ofMillis(500));
    }

    PipelineTestEnv(String topicPrefix, Duration checkpointInterval) {
        List<ModelDeployment> models = List.of(
                new ModelDeployment("chat-model", "sglang-smg", "unset", null, 0, null, null, null, null, null),
                ModelDeployment.triton("text-model", "unset", "text_ensemble", 16));
        this.kafka = EmbeddedKafka.start();
        // Ten times faster than an H100 would be: requests stay in flight for tens of milliseconds.
        this.emulators = EmulatedDeployment.start(models, CostModel.llama8bH100(), 10);
        this.config = new SluiceConfig(
                new KafkaSettings(kafka.bootstrapServers(), topicPrefix, "avro", Duration.ofMinutes(5), Map.of()),
                new JobSettings(2, checkpointInterval, 32, Duration.ofSeconds(30)),
                LimitSettings.ofDefaults(),
                models,
                // No default route: a task without its own route has no eligible model.
                Map.of("chat", "chat-model", "translate", "text-model", "summarize", "text-model", "code",
                        "text-model"))
                .withEndpoints(emulators.endpoints());
        kafka.createTopics(config.kafka().topics().all(), 2);
    }

    void publish(List<SampleRecord> records) {
        PromptPublisher.publish(kafka.bootstrapServers(), config.kafka().topics().prompts(), records);
    }

    static SampleRecord json(String key, String json) {
        return new SampleRecord(key, json.getBytes(StandardCharsets.UTF_8));
    }

    static SampleRecord avro(PromptRequest request) {
        return new SampleRecord(request.getRequestId(), REQUESTS.encode(request, false));
    }

    static PromptRequest request(String id, Task task, String prompt) {
        PromptRequest.Builder builder = PromptRequest.newBuilder().setRequestId(id).setTenant("tenant-" + (id.hashCode() & 3))
                .setTask(task).setPrompt(prompt);
        if (task == Task.TRANSLATE) {
            builder.setTargetLanguage("ja");
        }
        return builder.build();
    }

    @Override
    public void close() {
        emulators.close();
        kafka.close();
    }
}
