package dev.sluice.demo;

import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.Reject;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/** The demo's closing tables: per model latency and throughput, and rejects by reason. */
final class DemoSummary {

    private DemoSummary() {}

    static void print(List<InferenceMetric> metrics, List<Reject> rejects, PrintStream out) {
        Map<String, List<InferenceMetric>> byModel = metrics.stream()
                .filter(m -> m.getOutcome().equals("OK"))
                .collect(Collectors.groupingBy(InferenceMetric::getModelId, TreeMap::new, Collectors.toList()));
        out.printf("%-36s %7s %9s %9s %12s %14s %12s%n",
                "model", "count", "p50 ms", "p99 ms", "p50 TTFT ms", "out tokens/s", "mean batch");
        for (Map.Entry<String, List<InferenceMetric>> entry : byModel.entrySet()) {
            List<InferenceMetric> rows = entry.getValue();
            Histogram latency = new Histogram(3);
            Histogram firstToken = new Histogram(3);
            long tokens = 0;
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            double batch = 0;
            for (InferenceMetric metric : rows) {
                latency.recordValue(Math.max(0, metric.getEndToEndMs()));
                firstToken.recordValue(Math.max(0, metric.getTimeToFirstTokenMs()));
                tokens += metric.getCompletionTokens();
                first = Math.min(first, metric.getEventTime() - metric.getEndToEndMs());
                last = Math.max(last, metric.getEventTime());
                batch += metric.getBatchSize();
            }
            double seconds = Math.max(1, last - first) / 1000.0;
            out.printf("%-36s %7d %9d %9d %12d %14.0f %12.1f%n", entry.getKey(), rows.size(),
                    latency.getValueAtPercentile(50), latency.getValueAtPercentile(99),
                    firstToken.getValueAtPercentile(50), tokens / seconds, batch / rows.size());
        }
        out.println();
        Map<String, Long> byReason = rejects.stream().collect(
                Collectors.groupingBy(r -> r.getReason().name(), TreeMap::new, Collectors.counting()));
        out.printf("%-36s %7s%n", "reject reason", "count");
        byReason.forEach((reason, count) -> out.printf("%-36s %7d%n", reason, count));
    }
}
