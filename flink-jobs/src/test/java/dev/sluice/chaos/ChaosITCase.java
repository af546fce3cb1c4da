package dev.sluice.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every fault scenario of {@code sluice bench chaos}, on a real broker, the job on Flink's MiniCluster and
 * emulated Triton servers on sockets: each prompt ends as exactly one completion, whole, from a model the tenant
 * may use. With 30 s deadlines no fault here lasts long enough to justify a reject.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosITCase {

    private static final int PROMPTS = 240;
    private static final double PER_SECOND = 60;
    private static final Map<ChaosScenario, ChaosReport> REPORTS = new EnumMap<>(ChaosScenario.class);
    private static ChaosStack stack;

    @BeforeAll
    static void start() {
        stack = ChaosStack.start(10);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @EnumSource(ChaosScenario.class)
    void everyPromptEndsAsExactlyOneWholeCompletion(ChaosScenario scenario) throws Exception {
        ChaosReport report = new ChaosRun(stack, scenario, PROMPTS, PER_SECOND, "it-" + scenario.label()).run();
        REPORTS.put(scenario, report);

        assertThat(report.lost()).as("lost").isZero();
        assertThat(report.duplicated()).as("duplicated").isZero();
        assertThat(report.partial()).as("completions with partial text").isZero();
        assertThat(report.rejects()).as("rejects").isEmpty();
        assertThat(report.completions()).isEqualTo(report.offered());
        assertThat(report.models()).as("models that served").doesNotContainKey(ChaosStack.RESTRICTED);
    }

    @Order(2)
    @Test
    void whenThePrimaryModelFailsItsRequestsFailOverToTheEligibleFallback() {
        assertThat(REPORTS.get(ChaosScenario.NONE).models()).containsOnlyKeys(ChaosStack.PRIMARY);
        assertThat(REPORTS.get(ChaosScenario.BACKEND_OUTAGE).models()).containsKey(ChaosStack.FALLBACK);
        assertThat(REPORTS.get(ChaosScenario.STREAM_CUT).models()).containsKey(ChaosStack.FALLBACK);
    }

    /** The poison scenario, a few of each kind: its latency ratio is the bench's to report, not a test's. */
    @Order(3)
    @Test
    void eachHostileRecordIsAnsweredWithItsReasonAndTheWellBehavedLoseNothing() throws Exception {
        PoisonReport report = new PoisonRun(stack, 120, PER_SECOND, 4).run();

        assertThat(report.lost()).as("lost").isZero();
        assertThat(report.duplicated()).as("duplicated").isZero();
        assertThat(report.completed()).isEqualTo(report.offered());
        assertThat(report.restarts()).as("job restarts").isZero();
        assertThat(report.hostile()).containsKeys("oversized-tenant", "spoofed-tenant", "forged-cancel",
                "unsigned-redirect", "self-signed-redirect");
        assertThat(report.answered()).as("answered as they must be, by kind").isEqualTo(report.hostile());
    }
}
