package dev.sluice.bench;

import dev.sluice.config.GatewaySettings;
import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.job.InferencePipeline;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.Completion;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Sluice as a user runs it, for the {@code saturation} benchmark: every prompt published to Kafka as a batch request
 * before the pipeline's job starts, read, routed and served by that job through its gateway, which reads the
 * server's load from its metrics page, and each completion committed to its topic. The same two-slot local Flink
 * environment as the {@code overhead} benchmark's, on an embedded broker.
 */
final class PipelineLane {

    private static final String TENANT = "bench";
    /**
     * Requests each of the job's two subtasks may have awaiting an answer ({@code job.max-in-flight}): together
     * enough for the server's 256 slots, the queue the gateway keeps there, and the answered requests a unary call
     * of many prompts holds until its longest ends. With 256 each the job held too few for that, and the server's
     * batch ran short of full (a trial, not kept).
     */
    private static final int MAX_IN_FLIGHT = 512;
    /** Far beyond any request's wait here: every prompt is queued at once, and the benchmark measures the server. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(30);

    private PipelineLane() {}

    /** What the job served: each prompt's completion, one per request id. */
    record Served(List<Completion> completions) {}

    /**
     * Serves {@code prompts} of the benchmark's workload through the pipeline in front of {@code server}'s model
     * {@code model}, an ensemble whose engine's gauges are on the server's metrics page under {@code tensorrt_llm}.
     * Fails unless every prompt has exactly one completion and none was rejected.
     */
    static Served serve(EmulatorServer server, String model, int prompts) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            SluiceConfig config = new SluiceConfig(
                    new KafkaSettings(kafka.bootstrapServers(), "saturation", "avro", Duration.ofMinutes(10),
                            Map.of()),
                    new JobSettings(2, Duration.ofSeconds(2), MAX_IN_FLIGHT, REQUEST_TIMEOUT, "bench"),
                    LimitSettings.ofDefaults(), GatewaySettings.ofDefaults(), null);
            kafka.createPipelineTopics(config.kafka().topics(), 2);
            PromptPublisher.publish(config.kafka(), prompts(prompts));
            StreamExecutionEnvironment env = InstantStack.environment();
            InferencePipeline job = new InferencePipeline(config, catalog(server, model));
            job.configure(env);
            job.attach(job.source(env));
            JobClient running = env.executeAsync("saturation");
            try (OutputCollector output = new OutputCollector(config.kafka())) {
                boolean done = output.collectUntil(() -> output.outcomes() >= prompts, Duration.ofMinutes(30));
                Set<String> answered = new HashSet<>();
                output.completions().forEach(completion -> answered.add(completion.getRequestId()));
                if (!done || !output.rejects().isEmpty() || answered.size() != prompts
                        || output.completions().size() != prompts) {
                    throw new IllegalStateException("the pipeline committed " + output.completions().size()
                            + " completions for " + answered.size() + " of " + prompts + " requests, and "
                            + output.rejects().size() + " rejects" + (output.rejects().isEmpty() ? ""
                            : ", the first: " + output.rejects().get(0).getReason()));
                }
                return new Served(List.copyOf(output.completions()));
            } finally {
                try {
                    running.cancel().get();
                } catch (ExecutionException e) {
                    // It ended already, failed: the check above says what it left unwritten, not this.
                }
            }
        }
    }

    /** One model, the ensemble, on {@code server}, its load read from the server's metrics page. */
    private static Catalog catalog(EmulatorServer server, String model) {
        return Catalog.parse("""
                models:
                  - {id: %s, family: Bench, vendor: Bench, origin: US, params-b: 8, context: 32768,
                     license: apache-2.0, commercial: yes, japanese: good, capabilities: [chat],
                     deployment: {backend: triton, endpoint: "%s", served-name: %s, max-batch-size: 64,
                                  metrics-url: "http://127.0.0.1:%d/metrics", metrics-model: tensorrt_llm}}
                policies:
                  %s: {commercial: true, monthly-active-users: 1}
                """.formatted(model, server.endpoint(), model, server.metricsPort(), TENANT),
                "saturation benchmark catalog");
    }

    /** The workload's prompts as batch requests of one tenant, asking for its answer length. */
    private static List<SampleRecord> prompts(int count) {
        RecordCodec<PromptRequest> codec = new RecordCodec<>(PromptRequest.getClassSchema());
        List<SampleRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            PromptRequest request = PromptRequest.newBuilder().setRequestId("p" + i).setTenant(TENANT)
                    .setTask(Task.CHAT).setPriority(Priority.BATCH).setPrompt(Workload.prompt(i))
                    .setParams(GenerationParams.newBuilder().setMaxTokens(Workload.MAX_TOKENS).build()).build();
            records.add(new SampleRecord(request.getRequestId(), codec.encode(request, false)));
        }
        return records;
    }
}
