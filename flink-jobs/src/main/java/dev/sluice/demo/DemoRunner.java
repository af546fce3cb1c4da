package dev.sluice.demo;

import dev.sluice.config.MetricsSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Topics;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.intake.DecodedRecord;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.job.LocalJob;
import dev.sluice.job.PrometheusScrape;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import dev.sluice.schema.Completion;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.Reject;
import dev.sluice.terminal.SummaryTable;
import dev.sluice.terminal.TopicReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;

/**
 * The whole pipeline in one JVM: a real KRaft broker, an emulated Triton server on a socket, and the job on
 * Flink's local MiniCluster. Publishes the samples, waits for every outcome and prints the summary.
 */
public final class DemoRunner {

    private final SluiceConfig config;
    private final Catalog catalog;
    private final Path samples;
    private final Duration timeout;
    private final PrintStream out;

    public DemoRunner(SluiceConfig config, Catalog catalog, Path samples, Duration timeout, PrintStream out) {
        this.config = config;
        this.catalog = catalog;
        this.samples = samples;
        this.timeout = timeout;
        this.out = out;
    }

    /** Returns the process exit code: 0 when every prompt has exactly one completion or reject. */
    public int run() throws Exception {
        long started = System.nanoTime();
        List<SamplePrompts.SampleRecord> records = SamplePrompts.load(samples);
        int expected = expectedOutcomes(records);
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
            PromptPublisher.publish(demo.kafka(), records);
            out.printf("Published %d records holding %d prompts and malformed inputs; waiting for results…%n",
                    records.size(), expected);
            try (OutputCollector collector = new OutputCollector(demo.kafka())) {
                boolean complete = collector.collectUntil(
                        () -> collector.outcomes() >= expected && collector.metrics().size()
                                >= collector.completions().size(), timeout);
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
                out.println("rejects by reason: " + collector.rejects().stream().collect(Collectors.groupingBy(
                        r -> r.getReason().name(), TreeMap::new, Collectors.counting())));
                out.printf("Prometheus: %d Sluice samples at http://localhost:%d/metrics, among them:%n",
                        prometheus.size(), prometheusPort);
                prometheus.stream().filter(line -> line.contains("_concurrency_limit{"))
                        .forEach(line -> out.println("  " + briefly(line)));
                return verdict(collector, expected, complete, started);
            }
        }
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

    private int verdict(OutputCollector collector, int expected, boolean complete, long started) {
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (Completion completion : collector.completions()) {
            if (!seen.add(completion.getRequestId())) {
                duplicates++;
            }
        }
        for (Reject reject : collector.rejects()) {
            if (reject.getRequestId() != null && !seen.add(reject.getRequestId())) {
                duplicates++;
            }
        }
        int missing = Math.max(0, expected - collector.outcomes());
        out.printf("%nexpected %d outcomes: %d completions, %d rejects, %d missing, %d duplicated, in %.1f s%n",
                expected, collector.completions().size(), collector.rejects().size(), missing, duplicates,
                (System.nanoTime() - started) / 1e9);
        return complete && missing == 0 && duplicates == 0 ? 0 : 1;
    }

    /**
     * How many completions plus rejects the samples must produce: one per prompt, and one per record or
     * prompt that cannot be served. Counted with the decoder the job itself runs.
     */
    private int expectedOutcomes(List<SamplePrompts.SampleRecord> records) {
        PromptDecoder decoder = new PromptDecoder(config.limits().toIntakeLimits());
        int expected = 0;
        for (SamplePrompts.SampleRecord record : records) {
            DecodedRecord decoded = decoder.decode(record.value());
            expected += decoded.requests().size() + decoded.problems().size();
        }
        return expected;
    }
}
