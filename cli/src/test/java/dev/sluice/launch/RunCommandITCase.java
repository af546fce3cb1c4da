package dev.sluice.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cli.SluiceCli;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.PromptPublisher;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import dev.sluice.schema.Completion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice run --config F}, parsed by the real command line, on the local Flink it starts by itself (no test
 * MiniCluster), against a broker and emulated servers named only in files written here and in environment
 * overrides: the configuration path a cluster's JobManager takes.
 */
class RunCommandITCase {

    private static final String CATALOG = """
            models:
              - {id: chat-model, family: Test, vendor: Test, origin: US, params-b: 14, context: 32768,
                 license: apache-2.0, commercial: yes, japanese: excellent, capabilities: [chat],
                 use-cases: [japanese-chat], deployment: {backend: sglang-smg, endpoint: unset}}
            policies:
              acme: {commercial: true, monthly-active-users: 1000}
            """;

    @TempDir
    Path dir;

    @Test
    void runFromAConfigFileServesPromptsExactlyOnceBesideTheSummaryJob() throws Exception {
        Catalog declared = Catalog.parse(CATALOG, "test catalog");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                EmulatedDeployment emulators = EmulatedDeployment.start(
                        declared.deployed().stream().map(CatalogModel::deployment).toList(),
                        CostModel.llama8bH100(), 10)) {
            Files.writeString(dir.resolve("catalog.yaml"), declared.withEndpoints(emulators.endpoints()).toYaml());
            Path file = dir.resolve("sluice.yaml");
            Files.writeString(file, """
                    kafka:
                      bootstrap-servers: %s
                      topic-prefix: run-it
                      transaction-timeout: PT10M
                    job:
                      instance-id: run-it
                      parallelism: 2
                      checkpoint-interval: PT0.5S
                    summary:
                      window: PT2S
                      idle-timeout: PT2S
                    catalog: catalog.yaml
                    """.formatted(kafka.bootstrapServers()));
            // The jobs take the environment's overrides; the topics made for two subtasks serve one as well.
            Map<String, String> environment = Map.of("SLUICE_JOB_PARALLELISM", "1");
            SluiceConfig config = SluiceConfig.load(file, environment);
            // A fresh broker: the topics come from the command an operator runs, and nothing else.
            assertThat(SluiceCli.commandLine().execute("topics", "create", "--config", file.toString()))
                    .as("sluice topics create").isZero();

            RunCommand run = command("run", "--config", file.toString());
            List<JobClient> jobs = run.start(environment);
            try (OutputCollector output = new OutputCollector(config.kafka())) {
                List<SampleRecord> prompts = IntStream.range(0, 5).mapToObj(i -> new SampleRecord("p-" + i,
                        ("{\"request_id\": \"p-" + i + "\", \"tenant\": \"acme\", \"task\": \"chat\", "
                                + "\"prompt\": \"question " + i + "\"}").getBytes(StandardCharsets.UTF_8)))
                        .toList();
                PromptPublisher.publish(config.kafka(), prompts);

                boolean done = output.collectUntil(() -> output.completions().size() >= 5, Duration.ofSeconds(90));
                List<JobStatus> statuses = new ArrayList<>();
                for (JobClient job : jobs) {
                    statuses.add(job.getJobStatus().get());
                }

                assertThat(done).as("completions: %s, rejects: %s", output.completions(), output.rejects()).isTrue();
                assertThat(output.completions()).extracting(Completion::getRequestId)
                        .containsExactlyInAnyOrder("p-0", "p-1", "p-2", "p-3", "p-4");
                assertThat(output.completions()).extracting(Completion::getModelId).containsOnly("chat-model");
                assertThat(statuses).as("the pipeline and the metrics-summary job").hasSize(2)
                        .containsOnly(JobStatus.RUNNING);
            } finally {
                for (JobClient job : jobs) {
                    job.cancel().get();
                }
            }
        }
    }

    @Test
    void runOnAClusterWithoutItsTopicsStopsAtOnceWithOneLine() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Path file = dir.resolve("sluice.yaml");
            Files.writeString(file, """
                    kafka:
                      bootstrap-servers: %s
                      topic-prefix: bare
                    job:
                      instance-id: bare
                    """.formatted(kafka.bootstrapServers()));
            StringWriter err = new StringWriter();

            long started = System.nanoTime();
            int code = SluiceCli.commandLine().setErr(new PrintWriter(err, true)).execute("run", "--config",
                    file.toString());
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("sluice run: topic bare.prompts is missing (and 9 more); create "
                    + "them with: sluice topics create --config " + file + System.lineSeparator());
            assertThat(took).as("no job started, no restarts waited out").isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void withTopicTenancyRunNeedsTheTopicsOfEachTenantThatHasAnyButNotOfTenantsWithNone() throws Exception {
        Files.writeString(dir.resolve("catalog.yaml"), CATALOG.replace("acme:", "globex:"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Path file = dir.resolve("sluice.yaml");
            Files.writeString(file, """
                    kafka:
                      bootstrap-servers: %s
                      topic-prefix: tenancy
                      tenancy: topic
                    job:
                      instance-id: tenancy
                      parallelism: 1
                    """.formatted(kafka.bootstrapServers()));
            SluiceConfig config = SluiceConfig.load(file, Map.of());
            kafka.createPipelineTopics(config.kafka().topics(), 1);
            kafka.createTopics(List.of(config.kafka().topics().of("acme").prompts()), 1);

            assertThatThrownBy(() -> command("run", "--config", file.toString()).start(Map.of()))
                    .as("globex, in the catalog, has no topics yet: only acme's missing outputs count")
                    .hasMessage("topic tenancy.completions.acme is missing (and 4 more); create them with: "
                            + "sluice topics create --config " + file);
        }
    }

    @Test
    void jobSelectsOneOfTheJobs() {
        assertThat(command("run", "--config", "sluice.yaml").jobs).isEqualTo(RunCommand.Jobs.both);
        assertThat(command("run", "--config", "sluice.yaml", "--job", "summary").jobs)
                .isEqualTo(RunCommand.Jobs.summary);
        assertThatThrownBy(() -> command("run", "--config", "sluice.yaml", "--job", "everything"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("pipeline, summary, both");
    }

    @Test
    void dashDPassesFlinkOptionsAndARecoveryPathNeedsOneJob() {
        RunCommand pipeline = command("run", "--config", "sluice.yaml", "--job", "pipeline",
                "-D", "execution.checkpointing.dir=file:///var/sluice/checkpoints",
                "-Dexecution.state-recovery.path=/var/sluice/checkpoints/job/chk-7");
        assertThat(pipeline.flinkOptions).containsExactly(
                Map.entry("execution.checkpointing.dir", "file:///var/sluice/checkpoints"),
                Map.entry("execution.state-recovery.path", "/var/sluice/checkpoints/job/chk-7"));

        RunCommand both = command("run", "--config", "sluice.yaml",
                "-D", "execution.state-recovery.path=/var/sluice/checkpoints/job/chk-7");
        assertThatThrownBy(() -> both.start(Map.of())).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--job pipeline or --job summary");
    }

    /** The {@code run} subcommand as the real command line parses {@code args}. */
    private static RunCommand command(String... args) {
        return (RunCommand) new CommandLine(new SluiceCli()).parseArgs(args).subcommand().commandSpec().userObject();
    }
}
