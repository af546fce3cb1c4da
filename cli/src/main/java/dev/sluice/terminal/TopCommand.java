package dev.sluice.terminal;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import dev.sluice.summary.UsageRows;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice top}: the latest summary window of each model, or with {@code --by tenant|run} of each tenant or
 * bulk run from the usage topic, redrawn as new windows commit; under the tenants, each budgeted tenant's spend in
 * its current period ({@link BudgetTable}). Live gateway state (in flight, concurrency limit,
 * circuits) is on the Prometheus endpoint; here "in svc" is the window's mean number of requests in service.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "A live table per model from the metrics summary topic: requests/s, output tokens/s, latency "
                + "and time to first token percentiles, batch size, requests in service, errors; or per tenant or "
                + "run from the usage topic: requests, tokens, latency percentiles, GPU-seconds, cost, errors; and each "
                + "tenant's budget spent this period.")
public final class TopCommand implements Callable<Integer> {

    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--refresh", defaultValue = "PT2S", description = "redraw period (default: ${DEFAULT-VALUE})")
    Duration refresh;

    @Option(names = "--once", description = "read what is committed, print one table and exit")
    boolean once;

    @Option(names = "--by", defaultValue = "model",
            description = "rows per model, tenant or run (default: ${DEFAULT-VALUE}; one of ${COMPLETION-CANDIDATES})")
    By by;

    /** What a row of the table is. */
    enum By { model, tenant, run }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SluiceConfig settings = SluiceConfig.load(config);
        KafkaSettings kafka = settings.kafka();
        PrintWriter out = spec.commandLine().getOut();
        if (by == By.model) {
            return show(kafka, out, kafka.topics().metricsSummary(), MetricsSummary.getClassSchema(),
                    TopCommand::keepLatest, SummaryTable::render);
        }
        BudgetTable budgets = new BudgetTable(budgeted(settings));
        return this.<UsageSummary>show(kafka, out, kafka.topics().usage(), UsageSummary.getClassSchema(),
                (latest, row) -> {
                    keepLatestUsage(latest, row);
                    budgets.add(row);
                },
                rows -> UsageTable.windows(rows, scope()) + budgets.render(System.currentTimeMillis()));
    }

    /** Reads {@code topic}, keeping rows by {@code keep}, and prints them by {@code render}, once or on. */
    private <T extends SpecificRecordBase> int show(KafkaSettings kafka, PrintWriter out, String topic, Schema schema,
            BiConsumer<Map<String, T>, T> keep, Function<Collection<T>, String> render) {
        Map<String, T> latest = new TreeMap<>();
        try (TopicReader<T> reader = new TopicReader<>(kafka, topic, schema, true)) {
            if (once) {
                reader.readToEnd().forEach(row -> keep.accept(latest, row));
                out.print(render.apply(latest.values()));
                out.flush();
                return 0;
            }
            while (!Thread.currentThread().isInterrupted()) {
                reader.poll(refresh, row -> keep.accept(latest, row));
                out.print(CLEAR_SCREEN + "sluice top  " + Instant.now() + "  " + topic + "\n\n"
                        + render.apply(latest.values()));
                out.flush();
            }
        }
        return 0;
    }

    /**
     * The catalog whose budgets the tenant table shows under it: the catalog file, if there is one where the
     * configuration says; none for the run table.
     */
    private Catalog budgeted(SluiceConfig settings) {
        Catalog none = new Catalog(null, null, null);
        return by == By.tenant ? Catalog.loadIfPresent(settings.catalogPath(config)).orElse(none) : none;
    }

    private UsageScope scope() {
        return by == By.run ? UsageScope.RUN : UsageScope.TENANT;
    }

    /** The newest window of each tenant's or run's row; late-data rows do not replace it. */
    private void keepLatestUsage(Map<String, UsageSummary> latest, UsageSummary row) {
        if (row.getScope() == scope() && row.getRequests() > 0) {
            latest.merge(UsageRows.recordKey(row), row,
                    (old, now) -> now.getWindowStart() >= old.getWindowStart() ? now : old);
        }
    }

    /** The newest window of each model's all-endpoints row; late-data rows do not replace it. */
    private static void keepLatest(Map<String, MetricsSummary> latest, MetricsSummary row) {
        if (row.getEndpoint().equals("*") && row.getCount() > 0) {
            latest.merge(row.getModelId(), row,
                    (old, now) -> now.getWindowStart() >= old.getWindowStart() ? now : old);
        }
    }
}
