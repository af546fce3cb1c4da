package dev.sluice.terminal;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.schema.MetricsSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice top}: the latest summary window of each model, redrawn as new windows commit. Live gateway state
 * (in flight, concurrency limit, circuits) is on the Prometheus endpoint; here "in svc" is the window's mean
 * number of requests in service.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "A live table per model from the metrics summary topic: requests/s, output tokens/s, latency "
                + "and time to first token percentiles, batch size, requests in service, errors.")
public final class TopCommand implements Callable<Integer> {

    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--refresh", defaultValue = "PT2S", description = "redraw period (default: ${DEFAULT-VALUE})")
    Duration refresh;

    @Option(names = "--once", description = "read what is committed, print one table and exit")
    boolean once;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        KafkaSettings kafka = SluiceConfig.load(config).kafka();
        PrintWriter out = spec.commandLine().getOut();
        Map<String, MetricsSummary> latest = new TreeMap<>();
        try (TopicReader<MetricsSummary> reader = new TopicReader<>(kafka, kafka.topics().metricsSummary(),
                MetricsSummary.getClassSchema(), true)) {
            if (once) {
                reader.readToEnd().forEach(row -> keepLatest(latest, row));
                out.print(SummaryTable.render(latest.values()));
                out.flush();
                return 0;
            }
            while (!Thread.currentThread().isInterrupted()) {
                reader.poll(refresh, row -> keepLatest(latest, row));
                out.print(CLEAR_SCREEN + "sluice top  " + Instant.now() + "  " + kafka.topics().metricsSummary()
                        + "\n\n" + SummaryTable.render(latest.values()));
                out.flush();
            }
        }
        return 0;
    }

    /** The newest window of each model's all-endpoints row; late-data rows do not replace it. */
    private static void keepLatest(Map<String, MetricsSummary> latest, MetricsSummary row) {
        if (row.getEndpoint().equals("*") && row.getCount() > 0) {
            latest.merge(row.getModelId(), row,
                    (old, now) -> now.getWindowStart() >= old.getWindowStart() ? now : old);
        }
    }
}
