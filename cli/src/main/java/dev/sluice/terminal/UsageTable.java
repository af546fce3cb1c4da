package dev.sluice.terminal;

import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import dev.sluice.summary.UsageRows;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Tables of the usage topic's rows, per tenant or per run: {@code sluice top --by tenant|run} shows each key's
 * latest window, the demo each tenant's totals over every window. Made from the rows alone, none from raw metrics.
 */
public final class UsageTable {

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String WINDOW_HEADER = "%-34s %-17s %8s %10s %10s %10s %8s %8s %10s %10s %7s%n";
    private static final String WINDOW_ROW = "%-34s %-17s %8d %10d %10d %10d %8s %8s %10.1f %10.4f %7d%n";
    private static final String TOTAL_HEADER = "%-34s %8s %12s %12s %12s %10s %10s %7s%n";
    private static final String TOTAL_ROW = "%-34s %8d %12d %12d %12d %10.1f %10.4f %7d%n";

    private UsageTable() {}

    /** Every window of every key of {@code scope} in {@code rows}, by key and then time; late-data rows left out. */
    public static String windows(Collection<UsageSummary> rows, UsageScope scope) {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, WINDOW_HEADER, label(scope),
                "window (UTC)", "requests", "prompt tok", "compl tok", "cached tok", "p50 ms", "p99 ms", "GPU-s",
                "cost", "errors"));
        for (UsageSummary row : shown(rows, scope)) {
            table.append(String.format(Locale.ROOT, WINDOW_ROW, UsageRows.recordKey(row),
                    CLOCK.format(Instant.ofEpochMilli(row.getWindowStart())) + "-"
                            + CLOCK.format(Instant.ofEpochMilli(row.getWindowEnd())),
                    row.getRequests(), row.getPromptTokens(), row.getCompletionTokens(), row.getCachedTokens(),
                    orDash(row.getLatencyP50Ms()), orDash(row.getLatencyP99Ms()), row.getGpuSeconds(),
                    row.getCost(), row.getRequests() - row.getOkRequests()));
        }
        return table.toString();
    }

    /** Each key of {@code scope} summed over its windows in {@code rows}: requests, tokens, GPU-seconds, cost. */
    public static String totals(Collection<UsageSummary> rows, UsageScope scope) {
        Map<String, List<UsageSummary>> byKey = shown(rows, scope).stream()
                .collect(Collectors.groupingBy(UsageRows::recordKey, TreeMap::new, Collectors.toList()));
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, TOTAL_HEADER, label(scope), "requests",
                "prompt tok", "compl tok", "cached tok", "GPU-s", "cost", "errors"));
        byKey.forEach((key, windows) -> table.append(String.format(Locale.ROOT, TOTAL_ROW, key,
                windows.stream().mapToLong(UsageSummary::getRequests).sum(),
                windows.stream().mapToLong(UsageSummary::getPromptTokens).sum(),
                windows.stream().mapToLong(UsageSummary::getCompletionTokens).sum(),
                windows.stream().mapToLong(UsageSummary::getCachedTokens).sum(),
                windows.stream().mapToDouble(UsageSummary::getGpuSeconds).sum(),
                windows.stream().mapToDouble(UsageSummary::getCost).sum(),
                windows.stream().mapToLong(row -> row.getRequests() - row.getOkRequests()).sum())));
        return table.toString();
    }

    private static List<UsageSummary> shown(Collection<UsageSummary> rows, UsageScope scope) {
        return rows.stream()
                .filter(row -> row.getScope() == scope && row.getRequests() > 0)
                .sorted(Comparator.comparing(UsageRows::recordKey).thenComparing(UsageSummary::getWindowStart))
                .toList();
    }

    private static String label(UsageScope scope) {
        return scope == UsageScope.RUN ? "tenant/run" : "tenant";
    }

    private static String orDash(Long value) {
        return value == null ? "-" : String.valueOf(value);
    }
}
