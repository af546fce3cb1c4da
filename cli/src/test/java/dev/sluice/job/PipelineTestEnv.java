package dev.sluice.job;

import dev.sluice.config.GatewaySettings;
import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.SchemaRegistrySettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Tenancy;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A real broker and an emulated Triton server for one test class, and a config that points at both. */
final class PipelineTestEnv implements AutoCloseable {

    static final RecordCodec<PromptRequest> REQUESTS = new RecordCodec<>(PromptRequest.getClassSchema());

    final EmbeddedKafka kafka;
    final EmulatedDeployment emulators;
    final SluiceConfig config;
    final Catalog catalog;

    PipelineTestEnv(String topicPrefix) {
        this(topicPrefix, Duration.ofMillis(500));
    }

    /** With {@code tenancy}; in {@code topic} the tenants {@code acme} and {@code globex} have their topics. */
    PipelineTestEnv(String topicPrefix, Tenancy tenancy) {
        this(topicPrefix, Duration.ofMillis(500), EmbeddedKafka.start(), Map.of(), tenancy);
    }

    PipelineTestEnv(String topicPrefix, Duration checkpointInterval) {
        this(topicPrefix, checkpointInterval, EmbeddedKafka.start(), Map.of());
    }

    /** On {@code kafka}, closed with this; {@code kafkaProperties} are the config's {@code kafka.properties}. */
    PipelineTestEnv(String topicPrefix, Duration checkpointInterval, EmbeddedKafka kafka,
            Map<String, String> kafkaProperties) {
        this(topicPrefix, checkpointInterval, kafka, kafkaProperties, Tenancy.record);
    }

    private PipelineTestEnv(String topicPrefix, Duration checkpointInterval, EmbeddedKafka kafka,
            Map<String, String> kafkaProperties, Tenancy tenancy) {
        Catalog declared = Catalog.parse(TestCatalog.DOCUMENT, "test catalog");
        this.kafka = kafka;
        // Ten times faster than an H100 would be: requests stay in flight for tens of milliseconds.
        this.emulators = EmulatedDeployment.start(
                declared.deployed().stream().map(CatalogModel::deployment).toList(), CostModel.llama8bH100(), 10);
        this.catalog = declared.withEndpoints(emulators.endpoints());
        this.config = new SluiceConfig(
                new KafkaSettings(kafka.bootstrapServers(), topicPrefix, "avro", Duration.ofMinutes(10),
                        kafkaProperties, tenancy),
                new JobSettings(2, checkpointInterval, 32, Duration.ofSeconds(30), "it"),
                LimitSettings.ofDefaults(), GatewaySettings.ofDefaults(), null);
        kafka.createPipelineTopics(config.kafka().topics(), 2);
        if (tenancy == Tenancy.topic) {
            List.of("acme", "globex").forEach(tenant -> kafka.createTenantTopics(config.kafka().topics(), tenant, 2));
        }
    }

    InferencePipeline pipeline() {
        return new InferencePipeline(config, catalog);
    }

    /** Starts the pipeline on the test's MiniCluster and returns without waiting for it. */
    JobClient startPipeline() throws Exception {
        return startPipeline(new Configuration());
    }

    /** As {@link #startPipeline()}, with {@code flink} for the job (a restart strategy, say). */
    JobClient startPipeline(Configuration flink) throws Exception {
        return startPipeline(flink, null);
    }

    /** As {@link #startPipeline(Configuration)}, following catalog documents signed for {@code catalogKey}. */
    JobClient startPipeline(Configuration flink, PublicKey catalogKey) throws Exception {
        return startPipeline(config, flink, catalogKey);
    }

    /** As {@link #startPipeline()}, with {@code changed} for this environment's configuration. */
    JobClient startPipeline(SluiceConfig changed) throws Exception {
        return startPipeline(changed, new Configuration(), null);
    }

    private JobClient startPipeline(SluiceConfig config, Configuration flink, PublicKey catalogKey) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        InferencePipeline pipeline = new InferencePipeline(config, catalog, catalogKey);
        pipeline.configure(env);
        pipeline.attach(pipeline.source(env));
        return env.executeAsync(InferencePipeline.JOB_NAME);
    }

    /** This environment's configuration, with {@code registry} and outputs written in its framing. */
    SluiceConfig registryOutputs(SchemaRegistrySettings registry) {
        KafkaSettings kafka = config.kafka();
        return new SluiceConfig(new KafkaSettings(kafka.bootstrapServers(), kafka.topicPrefix(), "registry",
                kafka.transactionTimeout(), kafka.properties(), kafka.tenancy(), kafka.topicSettings(),
                kafka.outputSchemaVersions(), registry), config.job(), config.limits(), config.gateway(),
                config.catalog(), config.summary(), config.metrics(), config.controlPlane());
    }

    void publish(List<SampleRecord> records) {
        PromptPublisher.publish(config.kafka(), records);
    }

    static SampleRecord json(String key, String json) {
        return new SampleRecord(key, json.getBytes(StandardCharsets.UTF_8));
    }

    static SampleRecord avro(PromptRequest request) {
        return new SampleRecord(request.getRequestId(), REQUESTS.encode(request, false));
    }

    static PromptRequest request(String id, Task task, String prompt) {
        PromptRequest.Builder builder = PromptRequest.newBuilder().setRequestId(id).setTenant("acme")
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
