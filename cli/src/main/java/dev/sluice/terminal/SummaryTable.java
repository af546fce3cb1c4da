package dev.sluice.terminal;

import dev.sluice.schema.MetricsSummary;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-model table {@code sluice top} refreshes and the demo ends with, made from the per-model rows (endpoint
 * {@code *}) of the summary topic: nothing here is computed from raw metrics.
 */
public final class SummaryTable {

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String HEADER = "%-34s %-17s %7s %8s %11s %8s %8s %9s %6s %7s %7s%n";
    private static final String ROW = "%-34s %-17s %7d %8.1f %11.0f %8s %8s %9s %6s %7.1f %7d%n";

    private SummaryTable() {}

    /** Every window of every model in {@code rows}, by model and then time; late-data rows are left out. */
    public static String render(Collection<MetricsSummary> rows) {
        List<MetricsSummary> shown = rows.stream()
                .filter(row -> row.getEndpoint().equals("*") && row.getCount() > 0)
                .sorted(Comparator.comparing(MetricsSummary::getModelId).thenComparing(MetricsSummary::getWindowStart))
                .toList();
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, HEADER, "model", "window (UTC)",
                "count", "req/s", "out tok/s", "p50 ms", "p99 ms", "p99 TTFT", "batch", "in svc", "errors"));
        for (MetricsSummary row : shown) {
            double seconds = (row.getWindowEnd() - row.getWindowStart()) / 1000.0;
            table.append(String.format(Locale.ROOT, ROW, row.getModelId(),
                    CLOCK.format(Instant.ofEpochMilli(row.getWindowStart())) + "-"
                            + CLOCK.format(Instant.ofEpochMilli(row.getWindowEnd())),
                    row.getCount(), row.getCount() / seconds, row.getOutputTokensPerSecond(),
                    orDash(row.getLatencyP50Ms()), orDash(row.getLatencyP99Ms()), orDash(row.getTtftP99Ms()),
                    row.getMeanBatchSize() == null ? "-" : String.format(Locale.ROOT, "%.1f", row.getMeanBatchSize()),
                    row.getUtilisation(), row.getCount() - row.getOkCount()));
        }
        Map<String, Long> errors = new TreeMap<>();
        shown.forEach(row -> row.getErrors().forEach((reason, count) -> errors.merge(reason, count, Long::sum)));
        if (!errors.isEmpty()) {
            table.append("errors by reason:");
            errors.forEach((reason, count) -> table.append(' ').append(reason).append(' ').append(count));
            table.append('\n');
        }
        return table.toString();
    }

    private static String orDash(Long value) {
        return value == null ? "-" : String.valueOf(value);
    }
}
