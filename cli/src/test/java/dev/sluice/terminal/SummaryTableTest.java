package dev.sluice.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.MetricsSummary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link SummaryTable}. */
class SummaryTableTest {

    private static final long MINUTE = 60_000;

    private static MetricsSummary row(String model, String endpoint, long windowStart, long count, long ok,
            Map<String, Long> errors, long lateRecords) {
        return MetricsSummary.newBuilder().setModelId(model).setEndpoint(endpoint).setWindowStart(windowStart)
                .setWindowEnd(windowStart + MINUTE).setCount(count).setOkCount(ok).setErrors(errors)
                .setLatencyP50Ms(ok == 0 ? null : 410L).setLatencyP95Ms(ok == 0 ? null : 900L)
                .setLatencyP99Ms(ok == 0 ? null : 1_250L).setTtftP50Ms(ok == 0 ? null : 80L)
                .setTtftP95Ms(ok == 0 ? null : 150L).setTtftP99Ms(ok == 0 ? null : 210L)
                .setOutputTokensPerSecond(1_234.4).setMeanBatchSize(ok == 0 ? null : 7.5).setUtilisation(3.25)
                .setLateRecords(lateRecords).build();
    }

    @Test
    void showsEachModelsWindowsFromItsAllEndpointsRowsOnly() {
        String table = SummaryTable.render(List.of(
                row("b-model", "*", 2 * MINUTE, 120, 118, Map.of("DEADLINE_EXCEEDED", 2L), 0),
                row("b-model", "10.0.0.1:8001", 2 * MINUTE, 60, 59, Map.of("DEADLINE_EXCEEDED", 1L), 0),
                row("a-model", "*", MINUTE, 30, 30, Map.of(), 0),
                row("a-model", "*", MINUTE, 0, 0, Map.of(), 4)));

        List<String> lines = table.lines().toList();
        assertThat(lines.get(0)).contains("model", "req/s", "out tok/s", "p99 ms", "p99 TTFT", "in svc", "errors");
        // The per-endpoint row and the late-data row are left out; models in order.
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith("a-model").contains("00:01:00-00:02:00", " 30 ", " 0.5 ", " 1234 ",
                " 410 ", " 1250 ", " 210 ", " 7.5 ", " 3.3 ");
        assertThat(lines.get(2)).startsWith("b-model").contains(" 120 ", " 2.0 ").endsWith(" 2");
        assertThat(lines.get(3)).isEqualTo("errors by reason: DEADLINE_EXCEEDED 2");
    }

    @Test
    void aWindowWithOnlyErrorsShowsDashesForItsPercentiles() {
        String table = SummaryTable.render(List.of(row("none", "*", 0, 3, 0, Map.of("POLICY_DENIED", 3L), 0)));

        assertThat(table.lines().toList().get(1)).startsWith("none").contains(" - ").endsWith(" 3");
    }
}
