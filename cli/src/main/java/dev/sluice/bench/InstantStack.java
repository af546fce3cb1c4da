package dev.sluice.bench;

import dev.sluice.config.GatewaySettings;
import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The stand the {@code overhead} and {@code memory} benchmarks run on: one model behind an emulated server that
 * answers at once, tiny chat prompts and a two-slot local Flink environment, so what they measure is the pipeline.
 */
final class InstantStack {

    private static final String CATALOG = """
            models:
              - {id: instant, family: Bench, vendor: Bench, origin: US, params-b: 1, context: 32768,
                 license: apache-2.0, commercial: yes, japanese: good, capabilities: [chat],
                 deployment: {backend: triton, endpoint: unset, served-name: instant, max-batch-size: 64}}
            policies:
              bench: {commercial: true, monthly-active-users: 1}
            """;

    private InstantStack() {}

    static Catalog catalog() {
        return Catalog.parse(CATALOG, "instant benchmark catalog");
    }

    /** An emulated server for every model of {@code declared}; the caller closes it. */
    static EmulatedDeployment emulate(Catalog declared) {
        return EmulatedDeployment.start(
                declared.deployed().stream().map(CatalogModel::deployment).toList(), CostModel.instant(), 1);
    }

    /** Pipeline settings on {@code kafka} with topics named after {@code prefix}, which this creates. */
    static SluiceConfig config(EmbeddedKafka kafka, String prefix, Duration checkpointInterval) {
        SluiceConfig config = new SluiceConfig(
                new KafkaSettings(kafka.bootstrapServers(), prefix, "avro", Duration.ofMinutes(10), Map.of()),
                new JobSettings(2, checkpointInterval, 256, Duration.ofSeconds(60), "bench"),
                LimitSettings.ofDefaults(), GatewaySettings.ofDefaults(), null);
        kafka.createPipelineTopics(config.kafka().topics(), 2);
        return config;
    }

    static StreamExecutionEnvironment environment() {
        Configuration flink = new Configuration();
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
        return StreamExecutionEnvironment.createLocalEnvironment(2, flink);
    }

    /** Prompts {@code idPrefix + from} to {@code idPrefix + (from + count - 1)}, four tokens each. */
    static List<SampleRecord> prompts(String idPrefix, int from, int count) {
        RecordCodec<PromptRequest> codec = new RecordCodec<>(PromptRequest.getClassSchema());
        List<SampleRecord> records = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            PromptRequest request = PromptRequest.newBuilder().setRequestId(idPrefix + i).setTenant("bench")
                    .setTask(Task.CHAT).setPrompt("hello " + i)
                    .setParams(GenerationParams.newBuilder().setMaxTokens(4).build()).build();
            records.add(new SampleRecord(request.getRequestId(), codec.encode(request, false)));
        }
        return records;
    }
}
