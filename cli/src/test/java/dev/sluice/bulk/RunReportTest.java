package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Price;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import org.junit.jupiter.api.Test;

/** Tests for {@link RunReport}. */
class RunReportTest {

    @Test
    void aRunningRunShowsItsCountsRateAndTheTimeLeftAtThatRate() {
        // 300 of 1,000 items in 60 s since the first outcome: 5 a second, 700 left, 140 s.
        RunState state = state(RunStatus.IN_PROGRESS, 1_000, 280, 15, 5, 60_000);

        String text = RunReport.describe(state);

        assertThat(text).contains("run nightly (tenant acme): in_progress")
                .contains("300 of 1,000 have an outcome (30.0%): 280 done, 15 failed, 5 cancelled")
                .contains("5.0 items/s, 200 completion tokens/s over 1m 00s")
                .contains("eta:        2m 20s");
        assertThat(RunReport.settled(state)).isEqualTo(300);
    }

    @Test
    void anEndedRunHasNoEtaAndARunJustStartedHasNoRateYet() {
        assertThat(RunReport.describe(state(RunStatus.COMPLETED, 10, 10, 0, 0, 5_000))).doesNotContain("eta:");
        assertThat(RunReport.describe(state(RunStatus.IN_PROGRESS, 10, 0, 0, 0, 0)))
                .contains("eta:        unknown until items are served").doesNotContain("throughput");
    }

    @Test
    void aRetriedRunShowsItsAttempt() {
        RunState retried = state(RunStatus.IN_PROGRESS, 10, 8, 0, 0, 5_000);
        retried.setAttempt(2);

        assertThat(RunReport.describe(retried)).contains("retried:    attempt 2");
        assertThat(RunReport.describe(state(RunStatus.COMPLETED, 10, 10, 0, 0, 5_000))).doesNotContain("retried:");
    }

    @Test
    void aRunsCostIsShownBesideWhatAHostedBatchApiWouldHaveChargedForItsTokens() {
        RunState priced = state(RunStatus.COMPLETED, 10, 10, 0, 0, 5_000);
        priced.setCost(0.0123);
        // 9,000 prompt tokens at 0.075 and 12,000 completion tokens at 0.30 a million: 0.000675 + 0.0036.
        Price hosted = Price.perMillionTokens(0.075, 0.30);

        assertThat(RunReport.describe(priced, hosted))
                .contains("cost:       0.0123 at the catalog's prices; 0.0043 at the reference price of a hosted batch API");
        assertThat(RunReport.describe(priced)).contains("cost:       0.0123 at the catalog's prices%n".formatted());
        assertThat(RunReport.describe(state(RunStatus.COMPLETED, 10, 10, 0, 0, 5_000), hosted))
                .contains("cost:       no price in the catalog; 0.0043 at the reference price");
        assertThat(RunReport.describe(state(RunStatus.COMPLETED, 10, 10, 0, 0, 5_000))).doesNotContain("cost:");
    }

    private static RunState state(RunStatus status, int total, int done, int failed, int cancelled, long servingMs) {
        return RunState.newBuilder().setRunId("nightly").setTenant("acme").setStatus(status).setTotalItems(total)
                .setDoneItems(done).setFailedItems(failed).setCancelledItems(cancelled).setPromptTokens(9_000)
                .setCompletionTokens(12_000).setCreatedAt(0).setFirstOutcomeAt(servingMs == 0 ? null : 1_000L)
                .setUpdatedAt(1_000 + servingMs).build();
    }
}
