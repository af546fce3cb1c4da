package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bulk.RunPublisher;
import dev.sluice.bulk.RunStates;
import dev.sluice.config.SluiceConfig;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import dev.sluice.serde.JsonAvro;
import dev.sluice.terminal.TopicReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine;

/**
 * The pipeline as {@code sluice run} starts it, on a real broker and an emulated Triton server, for the bulk runs of
 * one test class, and {@code sluice bulk} against it through the real command line; the run's state and outcomes
 * read back from the topics.
 */
final class BulkPipeline implements AutoCloseable {

    /** One model with a small context, so a long document must be split and an overlong conversation fits none. */
    private static final String CATALOG = """
            models:
              - {id: text-model, family: Test, vendor: Test, origin: US, params-b: 7, context: 4096,
                 license: apache-2.0, commercial: yes, japanese: good, capabilities: [chat],
                 use-cases: [summarize, translate],
                 deployment: {backend: triton, endpoint: unset, served-name: text_ensemble, max-batch-size: 16,
                              price: {input-per-million: 1000, output-per-million: 2000}}}
            policies:
              acme: {commercial: true, monthly-active-users: 1000}
            """;
    static final String TENANT = "acme";

    private final EmbeddedKafka kafka;
    private final EmulatedDeployment emulators;
    private final SluiceConfig config;
    private final Path configFile;
    private final List<JobClient> jobs;

    /**
     * Starts the pipeline, with its files in {@code dir}, its topics and instance named {@code name}, and
     * {@code moreYaml} (top-level sections other than kafka, job and catalog) in its config; returns once the job has
     * committed a checkpoint.
     */
    static BulkPipeline start(Path dir, String name, String moreYaml) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        Catalog declared = Catalog.parse(CATALOG, "test catalog");
        EmulatedDeployment emulators = EmulatedDeployment.start(
                declared.deployed().stream().map(CatalogModel::deployment).toList(), CostModel.llama8bH100(), 10);
        Files.writeString(dir.resolve("catalog.yaml"), declared.withEndpoints(emulators.endpoints()).toYaml());
        Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, """
                kafka:
                  bootstrap-servers: %s
                  topic-prefix: %s
                job:
                  instance-id: %s
                  parallelism: 2
                  checkpoint-interval: PT0.5S
                  max-in-flight: 16
                catalog: catalog.yaml
                """.formatted(kafka.bootstrapServers(), name, name) + moreYaml);
        SluiceConfig config = SluiceConfig.load(configFile, Map.of());
        kafka.createPipelineTopics(config.kafka().topics(), 2);
        dev.sluice.launch.RunCommand run = (dev.sluice.launch.RunCommand) new CommandLine(new SluiceCli())
                .parseArgs("run", "--config", configFile.toString(), "--job", "pipeline")
                .subcommand().commandSpec().userObject();
        BulkPipeline pipeline = new BulkPipeline(kafka, emulators, config, configFile, run.start(Map.of()));
        // The job is up once it has committed a checkpoint: a run's first state shows that.
        try (RunPublisher publisher = new RunPublisher(config.kafka())) {
            publisher.send(RunCommand.newBuilder().setRunId("warm-up").setTenant(TENANT)
                    .setAction(RunAction.VALIDATING).setIssuedAt(System.currentTimeMillis()).build());
        }
        pipeline.awaitState("warm-up", state -> true);
        return pipeline;
    }

    private BulkPipeline(EmbeddedKafka kafka, EmulatedDeployment emulators, SluiceConfig config, Path configFile,
            List<JobClient> jobs) {
        this.kafka = kafka;
        this.emulators = emulators;
        this.config = config;
        this.configFile = configFile;
        this.jobs = jobs;
    }

    EmulatedDeployment emulators() {
        return emulators;
    }

    SluiceConfig config() {
        return config;
    }

    Path configFile() {
        return configFile;
    }

    /** {@code sluice bulk SUBCOMMAND ARGS...} with the pipeline's config and tenant; its exit code. */
    int bulk(String... args) {
        List<String> all = new ArrayList<>(List.of("bulk", args[0], "--config", configFile.toString(),
                "--tenant", TENANT));
        all.addAll(List.of(args).subList(1, args.length));
        return new CommandLine(new SluiceCli()).execute(all.toArray(String[]::new));
    }

    RunState state(String runId) {
        try (RunStates states = new RunStates(config.kafka(), TENANT, runId)) {
            return states.current().orElseThrow();
        }
    }

    /** The run's state once {@code condition} holds for it, failing after a minute. */
    RunState awaitState(String runId, Predicate<RunState> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (RunStates states = new RunStates(config.kafka(), TENANT, runId)) {
            RunState state = states.current().orElse(null);
            while (state == null || !condition.test(state)) {
                assertThat(System.nanoTime()).as("run %s: %s", runId, state).isLessThan(deadline);
                state = states.poll(Duration.ofMillis(200)).orElse(null);
            }
            return state;
        }
    }

    List<Completion> completions(String runId) {
        try (TopicReader<Completion> reader = new TopicReader<>(config.kafka(), config.kafka().topics().completions(),
                Completion.getClassSchema(), true)) {
            return reader.readToEnd().stream().filter(c -> runId.equals(c.getRunId())).toList();
        }
    }

    List<Reject> rejects(String runId) {
        try (TopicReader<Reject> reader = new TopicReader<>(config.kafka(), config.kafka().topics().rejects(),
                Reject.getClassSchema(), true)) {
            return reader.readToEnd().stream().filter(r -> runId.equals(r.getRunId())).toList();
        }
    }

    static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            nodes.add(JsonAvro.mapper().readTree(line));
        }
        return nodes;
    }

    @Override
    public void close() throws Exception {
        for (JobClient job : jobs) {
            job.cancel().get();
        }
        emulators.close();
        kafka.close();
    }
}
