package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.MetricsSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.Task;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pipeline on {@link LocalJob} with Flink's Prometheus reporter on, scraped over loopback. */
class PrometheusMetricsITCase {

    private static final int PROMPTS = 24;
    /** One sample line of Prometheus' text format: name, labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{(.*)} (\\S+)$");

    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("prom");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    /** A sample of a Sluice metric. */
    private record Sample(String name, String labels, double value) {}

    @Test
    void theReporterExportsExactlySluicesMetricsLabelledByModelEndpointAndReason() throws Exception {
        int port = freePort();
        SluiceConfig config = env.config.withMetrics(new MetricsSettings(port));
        // acme has a budget it will not spend, so that its gauges are there (they appear once a budgeted tenant is).
        Catalog budgeted = Catalog.parse(TestCatalog.DOCUMENT.replace("acme: {commercial: true, monthly-active-users: 1000}",
                "acme: {commercial: true, monthly-active-users: 1000, budget: {period: month, tokens: 1000000000}}"),
                "budgeted").withEndpoints(env.emulators.endpoints());
        JobClient job = LocalJob.start(config, budgeted, null, null, UnaryOperator.identity());
        List<Sample> samples;
        try (OutputCollector output = new OutputCollector(config.kafka())) {
            env.publish(records());
            boolean done = output.collectUntil(() -> output.completions().size() >= PROMPTS
                    && !output.rejects().isEmpty(), Duration.ofSeconds(90));
            assertThat(done).as("all outcomes arrived").isTrue();
            samples = scrape(port);
        } finally {
            job.cancel().get();
        }

        Set<String> names = samples.stream().map(Sample::name).collect(Collectors.toSet());
        assertThat(names).isEqualTo(SluiceMetrics.prometheusNames());
        assertThat(sum(samples, SluiceMetrics.COMPLETIONS)).isEqualTo(PROMPTS);
        assertThat(samples).filteredOn(s -> s.name.equals(SluiceMetrics.COMPLETIONS.prometheusName()))
                .extracting(Sample::labels)
                .anySatisfy(labels -> assertThat(labels).contains("model=\"chat-model\"")
                        .contains("endpoint=\"" + env.emulators.endpoints().get("chat-model") + "\""))
                .anySatisfy(labels -> assertThat(labels).contains("model=\"text-model\""));
        assertThat(sum(samples, SluiceMetrics.OUTPUT_TOKENS)).isPositive();
        assertThat(samples).filteredOn(s -> s.name.equals(SluiceMetrics.REJECTS.prometheusName()))
                .singleElement().satisfies(s -> {
                    assertThat(s.labels).contains("reason=\"DECODE_ERROR\"");
                    assertThat(s.value).isEqualTo(1);
                });
        assertThat(samples).filteredOn(s -> s.name.equals(SluiceMetrics.QUEUED.prometheusName()))
                .extracting(Sample::labels).anySatisfy(labels -> assertThat(labels).contains("model=\"text-model\"")
                        .contains("endpoint=\"" + env.emulators.endpoints().get("text-model") + "\""));
        // One gateway per model in this TaskManager, reported once although two subtasks hold it.
        assertThat(samples).filteredOn(s -> s.name.equals(SluiceMetrics.CONCURRENCY_LIMIT.prometheusName()))
                .hasSize(2).allSatisfy(s -> assertThat(s.value).isPositive());
        assertThat(sum(samples, SluiceMetrics.BATCHED_REQUESTS)).isGreaterThanOrEqualTo(PROMPTS);
        assertThat(samples).filteredOn(s -> s.name.equals(SluiceMetrics.BUDGET_USED.prometheusName()))
                .singleElement().satisfies(s -> {
                    assertThat(s.labels).contains("tenant=\"acme\"");
                    assertThat(s.value).isBetween(0.0, 1.0);
                });
        assertThat(sum(samples, SluiceMetrics.HELD)).isZero();
        assertThat(samples).filteredOn(s -> s.name.equals(SluiceMetrics.BATCH_SIZE.prometheusName() + "_count"))
                .allSatisfy(s -> assertThat(s.value).isPositive());
    }

    private static List<SampleRecord> records() {
        List<SampleRecord> records = new ArrayList<>();
        Task[] tasks = {Task.CHAT, Task.SUMMARIZE};
        for (int i = 0; i < PROMPTS; i++) {
            // Japanese chats go to chat-model, English summaries to text-model: both models have metrics.
            records.add(PipelineTestEnv.avro(PipelineTestEnv.request("p-" + i, tasks[i % 2],
                    tasks[i % 2] == Task.CHAT ? "しつもん " + i : "question " + i)));
        }
        records.add(new SampleRecord("noise", new byte[] {0x01, (byte) 0x9C, 0x44}));
        return records;
    }

    /** Sluice's samples in one scrape of the reporter. */
    private static List<Sample> scrape(int port) throws IOException, InterruptedException {
        return PrometheusScrape.sluiceSamples(port).stream().map(SAMPLE::matcher).filter(Matcher::matches)
                .map(m -> new Sample(m.group(1), m.group(2), Double.parseDouble(m.group(3))))
                .toList();
    }

    private static double sum(List<Sample> samples, SluiceMetrics.Metric metric) {
        return samples.stream().filter(s -> s.name.equals(metric.prometheusName())).mapToDouble(Sample::value).sum();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
