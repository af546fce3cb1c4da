package dev.sluice.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The usage tables of {@code sluice top --by tenant|run} and the demo, made from the usage topic's rows. */
class UsageTableTest {

    private static final long MINUTE = 60_000;

    @Test
    void totalsSumEachTenantsWindowsAndLeaveOutRunsAndLateRows() {
        List<UsageSummary> rows = List.of(
                row(UsageScope.TENANT, "globex", null, 0, 10, 9, 0.25),
                row(UsageScope.TENANT, "acme", null, 0, 4, 4, 0.5),
                row(UsageScope.TENANT, "acme", null, MINUTE, 6, 5, 0.75),
                row(UsageScope.RUN, "acme", "nightly", 0, 4, 4, 0.5),
                // a late-data row counts late metrics only, no requests
                row(UsageScope.TENANT, "acme", null, 0, 0, 0, 0));

        List<String> lines = UsageTable.totals(rows, UsageScope.TENANT).lines().toList();

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("tenant").contains("requests", "cost", "errors");
        assertThat(lines.get(1).split("\\s+")).as("acme: 10 requests, 1 failed, cost 1.25")
                .containsExactly("acme", "10", "1000", "500", "100", "1.0", "1.2500", "1");
        assertThat(lines.get(2).split("\\s+")).containsExactly("globex", "10", "1000", "500", "100", "1.0", "0.2500",
                "1");
    }

    @Test
    void windowsListEachRunsWindowsInTimeOrderUnderItsTenant() {
        List<UsageSummary> rows = List.of(
                row(UsageScope.RUN, "acme", "nightly", MINUTE, 6, 6, 0.75),
                row(UsageScope.RUN, "acme", "nightly", 0, 4, 4, 0.5),
                row(UsageScope.TENANT, "acme", null, 0, 4, 4, 0.5));

        List<String> lines = UsageTable.windows(rows, UsageScope.RUN).lines().toList();

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("tenant/run");
        assertThat(lines.get(1)).startsWith("acme/nightly").contains("00:00:00-00:01:00");
        assertThat(lines.get(2)).startsWith("acme/nightly").contains("00:01:00-00:02:00");
    }

    private static UsageSummary row(UsageScope scope, String tenant, String runId, long start, long requests,
            long ok, double cost) {
        return UsageSummary.newBuilder().setScope(scope).setTenant(tenant).setRunId(runId).setWindowStart(start)
                .setWindowEnd(start + MINUTE).setRequests(requests).setOkRequests(ok)
                .setErrors(requests == ok ? Map.of() : Map.of("BACKEND_FAILED", requests - ok))
                .setPromptTokens(requests * 100).setCompletionTokens(requests * 50).setCachedTokens(requests * 10)
                .setLatencyP50Ms(requests == 0 ? null : 100L).setLatencyP95Ms(null).setLatencyP99Ms(null)
                .setGpuSeconds(requests * 0.1).setCost(cost).setRunTotals(null).setLateRecords(requests == 0 ? 3 : 0)
                .build();
    }
}
