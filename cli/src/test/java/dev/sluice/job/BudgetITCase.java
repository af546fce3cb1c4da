package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogKeys;
import dev.sluice.routing.CatalogPublisher;
import dev.sluice.routing.CatalogUpdateRules;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.Task;
import java.nio.file.Files;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Budgets through the whole pipeline (real broker, Flink MiniCluster, emulated servers): once {@code acme} has spent
 * its day's tokens its batch work is held while {@code globex} is served and {@code initech}, whose policy rejects,
 * gets {@code BUDGET_EXCEEDED}; the held work and the spend survive a stop with a savepoint and a restart from it;
 * a signed catalog that raises the budget releases the held work, each request served once.
 */
class BudgetITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final KeyPair OPERATOR = CatalogKeys.generate();
    /** A budget of one token: spent by the first request served. */
    private static final String BUDGETS = TestCatalog.DOCUMENT
            .replace("acme: {commercial: true, monthly-active-users: 1000}",
                    "acme: {commercial: true, monthly-active-users: 1000, budget: {period: day, tokens: 1}}")
            .replace("initech: {commercial: true, monthly-active-users: 1000}", "initech: {commercial: true, "
                    + "monthly-active-users: 1000, budget: {period: month, tokens: 1, when-spent: reject}}");
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static PipelineTestEnv env;
    private static Catalog catalog;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("budget");
        catalog = Catalog.parse(BUDGETS, "budgets").withEndpoints(env.emulators.endpoints());
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void aTenantOverItsBudgetIsHeldWhileAnotherIsServedAndItsHeldWorkSurvivesARestart() throws Exception {
        try (OutputCollector output = OutputCollector.ofTenants(env.config.kafka(),
                List.of("acme", "globex", "initech"))) {
            JobClient job = start(null);
            env.publish(List.of(request("acme", "a-0", Priority.BATCH), request("initech", "i-0", Priority.BATCH)));
            assertThat(output.collectUntil(() -> output.completions().size() >= 2, WAIT)).isTrue();
            // Their metrics were committed with them; the budget gate reads them back within moments.
            Thread.sleep(3_000);

            List<String> held = ids("a-", 1, 10);
            List<SampleRecord> records = new ArrayList<>();
            held.forEach(id -> records.add(request("acme", id, Priority.BATCH)));
            records.add(request("acme", "a-chat", Priority.INTERACTIVE));
            ids("g-", 0, 9).forEach(id -> records.add(request("globex", id, Priority.BATCH)));
            ids("i-", 1, 3).forEach(id -> records.add(request("initech", id, Priority.BATCH)));
            env.publish(records);
            assertThat(output.collectUntil(() -> served(output, "g-") >= 10 && output.rejects().size() >= 4, WAIT))
                    .isTrue();
            output.drain(Duration.ofSeconds(3));
            assertThat(served(output, "a-")).as("acme served before its budget was spent").isEqualTo(1);
            assertThat(output.rejects()).allSatisfy(reject ->
                    assertThat(reject.getReason()).isEqualTo(RejectReason.BUDGET_EXCEEDED))
                    .extracting(Reject::getRequestId).containsExactlyInAnyOrder("a-chat", "i-1", "i-2", "i-3");

            // A stop with a savepoint and a start from it, as an operator upgrades the job.
            String savepoint = job.stopWithSavepoint(false,
                    Files.createTempDirectory("sluice-budget").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get();
            job = start(savepoint);
            held.add("a-11");
            env.publish(List.of(request("acme", "a-11", Priority.BATCH), request("globex", "g-10", Priority.BATCH)));
            assertThat(output.collectUntil(() -> served(output, "g-") >= 11, WAIT)).isTrue();
            output.drain(Duration.ofSeconds(3));
            assertThat(served(output, "a-")).as("acme still held after the restart").isEqualTo(1);

            new CatalogPublisher(env.config.kafka(), OPERATOR.getPrivate(), new CatalogUpdateRules(catalog, Set.of()))
                    .publish(Catalog.parse(BUDGETS.replace("tokens: 1}", "tokens: 1000000}"), "raised")
                            .withEndpoints(env.emulators.endpoints()));
            boolean released = output.collectUntil(() -> served(output, "a-") >= 12, WAIT);
            output.drain(Duration.ofSeconds(2));
            job.cancel().get();

            assertThat(released).isTrue();
            assertThat(output.completions()).extracting(Completion::getRequestId).doesNotHaveDuplicates()
                    .filteredOn(id -> id.startsWith("a-")).containsExactlyInAnyOrderElementsOf(
                            IntStream.rangeClosed(0, 11).mapToObj(i -> "a-" + i).toList());
            assertThat(output.rejects()).hasSize(4);
        }
    }

    private static JobClient start(String savepoint) throws Exception {
        Configuration flink = new Configuration();
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment environment = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        InferencePipeline pipeline = new InferencePipeline(env.config, catalog, OPERATOR.getPublic());
        pipeline.configure(environment);
        pipeline.attach(pipeline.source(environment));
        return environment.executeAsync(InferencePipeline.JOB_NAME);
    }

    private static long served(OutputCollector output, String prefix) {
        return output.completions().stream().filter(c -> c.getRequestId().startsWith(prefix)).count();
    }

    private static List<String> ids(String prefix, int from, int to) {
        return new ArrayList<>(IntStream.rangeClosed(from, to).mapToObj(i -> prefix + i).toList());
    }

    private static SampleRecord request(String tenant, String id, Priority priority) {
        return PipelineTestEnv.avro(PromptRequest.newBuilder(PipelineTestEnv.request(id, Task.SUMMARIZE,
                "Summarise " + id)).setTenant(tenant).setPriority(priority).build());
    }
}
