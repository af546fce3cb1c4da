package dev.sluice.demo;

import dev.sluice.config.MetricsSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Topics;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.job.LocalJob;
import dev.sluice.job.PrometheusScrape;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import dev.sluice.terminal.SummaryTable;
import dev.sluice.terminal.TopicReader;
import dev.sluice.terminal.BudgetTable;
import dev.sluice.terminal.UsageTable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;

/**
 * The whole pipeline in one JVM: a real KRaft broker, an emulated Triton server on a socket, and the job on
 * Flink's local MiniCluster. Publishes the samples, waits for every outcome, reads on a few checkpoints for late
 * duplicates, prints the summary and judges the outcomes against what the samples expect ({@link Verdict}).
 */
public final class DemoRunner {

    /**
     * How many checkpoint intervals the demo reads on once every outcome is in: outputs commit with checkpoints,
     * so a late duplicate needs one to appear; three leave room for one that is slow or declined.
     */
    private static final int LATE_DUPLICATE_CHECKPOINTS = 3;

    private final SluiceConfig config;
    private final Catalog catalog;
    private final DemoSamples samples;
    private final Duration timeout;
    private final PrintStream out;

    public DemoRunner(SluiceConfig config, Catalog catalog, DemoSamples samples, Duration timeout, PrintStream out) {
        this.config = config;
        this.catalog = catalog;
        this.samples = samples;
        this.timeout = timeout;
        this.out = out;
    }

    /**
     * Returns the process exit code: 0 when each request of the samples, and each sample record without a request
     * id, ends as exactly one outcome, the one the samples expect.
     */
    public int run() throws Exception {
        long started = System.nanoTime();
        int expected = samples.expectations().size();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                EmulatedDeployment emulators = EmulatedDeployment.start(
                        catalog.deployed().stream().map(CatalogModel::deployment).toList(),
                        CostModel.llama8bH100(), 1.0)) {
            int prometheusPort = config.metrics().prometheusPort() != 0 ? config.metrics().prometheusPort()
                    : freeLoopbackPort();
            SluiceConfig demo = config.withBootstrapServers(kafka.bootstrapServers())
                    .withMetrics(new MetricsSettings(prometheusPort));
            Catalog served = catalog.withEndpoints(emulators.endpoints());
            Topics topics = demo.kafka().topics();
            kafka.createPipelineTopics(topics, demo.job().parallelism());
            out.printf("Kafka (KRaft) at %s; catalog of %d models, %d deployed:%n", kafka.bootstrapServers(),
                    served.models().size(), served.deployed().size());
            for (CatalogModel model : served.deployed()) {
                out.printf("  %-42s emulated %-13s at %s%n", model.id(), model.deployment().backend(),
                        model.deployment().endpoint());
            }

            JobClient job = LocalJob.start(demo, served);
            List<RecordPosition> positions = PromptPublisher.publish(demo.kafka(), samples.records());
            out.printf("Published %d records holding %d prompts and malformed inputs; waiting for results…%n",
                    samples.records().size(), expected);
            out.printf("Expected outcomes: %s, %s%n", samples.expectedCounts(), samples.basis());
            try (OutputCollector collector = new OutputCollector(demo.kafka())) {
                boolean complete = collector.collectUntil(() -> judge(collector, positions).everyOneHeard()
                        && collector.metrics().size() >= collector.completions().size(), timeout);
                // A request answered twice, say after a replay, shows up in a later checkpoint's transaction.
                Duration readOn = demo.job().checkpointInterval().multipliedBy(LATE_DUPLICATE_CHECKPOINTS);
                collector.drain(readOn);
                List<String> prometheus = scrape(prometheusPort);
                job.cancel().get();
                // The closing table is what the summary job wrote: every metric committed, in its windows.
                LocalJob.summariseToLatest(demo);
                List<MetricsSummary> summaries;
                try (TopicReader<MetricsSummary> reader = new TopicReader<>(demo.kafka(), topics.metricsSummary(),
                        MetricsSummary.getClassSchema(), true)) {
                    summaries = reader.readToEnd();
                }
                out.printf("%n%s (%d rows), as `sluice top` shows it:%n", topics.metricsSummary(), summaries.size());
                out.print(SummaryTable.render(summaries));
                printUsageByTenant(demo);
                out.println("rejects by reason: " + collector.rejects().stream().collect(Collectors.groupingBy(
                        r -> r.getReason().name(), TreeMap::new, Collectors.counting())));
                out.printf("Prometheus: %d Sluice samples at http://localhost:%d/metrics, among them:%n",
                        prometheus.size(), prometheusPort);
                prometheus.stream().filter(line -> line.contains("_concurrency_limit{"))
                        .forEach(line -> out.println("  " + briefly(line)));
                printBatchApiRecipe(demo);
                List<String> misrouted = RoutingSpread.of(samples.records(), served,
                        demo.limits().toIntakeLimits()).report(collector.completions(), out);
                return report(judge(collector, positions), collector, complete, readOn, started, misrouted);
            }
        }
    }

    /**
     * Usage and cost per tenant, summed over the windows the summary job wrote to the usage topic, and each budgeted
     * tenant's spend in its period.
     */
    private void printUsageByTenant(SluiceConfig demo) {
        List<UsageSummary> usage;
        try (TopicReader<UsageSummary> reader = new TopicReader<>(demo.kafka(), demo.kafka().topics().usage(),
                UsageSummary.getClassSchema(), true)) {
            usage = reader.readToEnd();
        }
        out.printf("%nusage by tenant from %s (%d rows; cost at the catalog's prices), as `sluice top --by tenant` "
                + "reads it:%n", demo.kafka().topics().usage(), usage.size());
        out.print(UsageTable.totals(usage, UsageScope.TENANT));
        BudgetTable budgets = new BudgetTable(catalog);
        usage.forEach(budgets::add);
        out.print(budgets.render(System.currentTimeMillis()));
    }

    /** How to send this pipeline OpenAI batch files: two lines to run beside {@code sluice run}. */
    private void printBatchApiRecipe(SluiceConfig demo) {
        out.printf("OpenAI Batch API over this pipeline: beside `sluice run`, start `./sluice serve` with a key from "
                + "`./sluice serve keygen --tenant NAME` in serve.api-keys, then point any OpenAI client at it:%n");
        out.printf("  ./sluice serve --config config/sluice.yaml%n");
        out.printf("  export OPENAI_BASE_URL=http://%s/v1 OPENAI_API_KEY=sk-...%n", demo.serve().listen());
    }

    /** Sluice's samples on the Prometheus endpoint; none if it cannot be reached, which the demo reports. */
    private List<String> scrape(int port) {
        try {
            return PrometheusScrape.sluiceSamples(port);
        } catch (IOException e) {
            out.println("Prometheus endpoint unreachable: " + e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** A sample without Flink's own labels: {@code ..._concurrency_limit{model="m",endpoint="e"} 54.0}. */
    private static String briefly(String sample) {
        Matcher model = Pattern.compile("(model|endpoint)=\"[^\"]*\"").matcher(sample);
        List<String> labels = new ArrayList<>();
        while (model.find()) {
            labels.add(model.group());
        }
        return sample.substring(0, sample.indexOf('{')) + "{" + String.join(",", labels) + "}"
                + sample.substring(sample.lastIndexOf('}') + 1);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** What has been read so far, against what the samples expect. */
    private Verdict judge(OutputCollector collector, List<RecordPosition> positions) {
        return Verdict.of(samples.expectations(), positions, collector.completions(), collector.rejects());
    }

    /**
     * Prints the summary line and the verdict, with every request or record that failed it and every completion
     * served by a model its ranking would not have sent it to; returns the exit code.
     */
    private int report(Verdict verdict, OutputCollector collector, boolean complete, Duration readOn, long started,
            List<String> misrouted) {
        out.printf("%nexpected %d outcomes: %d completions (%s valid against their JSON schema), %d rejects, "
                        + "%d missing, %d duplicated, in %.1f s%n",
                samples.expectations().size(), collector.completions().size(), verdict.schemaChecks(),
                collector.rejects().size(), verdict.missing(), verdict.duplicated(),
                (System.nanoTime() - started) / 1e9);
        if (!complete) {
            out.printf("timed out after %s: %d outcomes and %d metrics of %d completions read%n", timeout,
                    collector.outcomes(), collector.metrics().size(), collector.completions().size());
        }
        double readOnSeconds = readOn.toMillis() / 1e3;
        if (verdict.passed()) {
            out.printf("PASSED: each request and record ended as expected, exactly once (read on %.1f s for late "
                    + "duplicates)%n", readOnSeconds);
        } else {
            out.printf("FAILED: %d of %d did not end as expected, exactly once, and %d outcomes match no sample "
                    + "(read on %.1f s for late duplicates):%n", verdict.unmet(), samples.expectations().size(),
                    verdict.unexpected(), readOnSeconds);
            verdict.problems().forEach(problem -> out.println("  " + problem));
        }
        if (!misrouted.isEmpty()) {
            out.printf("FAILED: %d completions came from a model their ranking would not have chosen:%n",
                    misrouted.size());
            misrouted.forEach(line -> out.println("  " + line));
        }
        return complete && verdict.passed() && misrouted.isEmpty() ? 0 : 1;
    }
}
