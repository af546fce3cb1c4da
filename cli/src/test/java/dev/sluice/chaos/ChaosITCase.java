package dev.sluice.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * may use. With 30 s deadlines no short fault here lasts long enough to justify a reject; the long ones, sized
 * from a 10 s request timeout here to keep the test short, outlast it, and still nothing is rejected.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosITCase {

    private static final int PROMPTS = 240;
    private static final double PER_SECOND = 60;
    private static final Duration LONG_FAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<ChaosScenario> LONG_FAULTS = EnumSet.of(ChaosScenario.LONG_OUTAGE,
            ChaosScenario.LONG_BROKER_OUTAGE);
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
        Duration requestTimeout = LONG_FAULTS.contains(scenario) ? LONG_FAULT_REQUEST_TIMEOUT
                : ChaosStack.REQUEST_TIMEOUT;
        ChaosReport report = new ChaosRun(stack, scenario, PROMPTS, PER_SECOND, "it-" + scenario.label(),
                requestTimeout).run();
        REPORTS.put(scenario, report);
        System.out.printf(Locale.ROOT, "%s: offered %d, done %d, rejects %s, lost %d, duplicated %d, servers %s,"
                        + " recovery %.1f s, peak heap after GC %.0f MB%n", report.scenario(), report.offered(),
                report.completions(), report.rejects(), report.lost(), report.duplicated(), report.servedByServer(),
                report.recoverySeconds(), report.peakHeapAfterGcMb());

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

    @Order(2)
    @Test
    void bulkWorkIsHeldThroughAnOutageOfThreeRequestTimeoutsAndCompletedAfter() {
        ChaosReport report = REPORTS.get(ChaosScenario.LONG_OUTAGE);

        assertThat(report.rejects()).as("rejects").isEmpty();
        assertThat(report.recoverySeconds()).as("output stopped for the outage, so the outage did strike")
                .isGreaterThanOrEqualTo(LONG_FAULT_REQUEST_TIMEOUT.multipliedBy(3).toSeconds() * 0.8);
    }

    @Order(2)
    @Test
    void aReplicaDownWhenTheJobStartsJoinsWhenItIsBack() {
        ChaosReport report = REPORTS.get(ChaosScenario.REPLICA_DOWN_AT_START);

        assertThat(report.servedByServer()).as("servers that served")
                .containsKeys(stack.primaries.get(0).endpoint(), stack.primaries.get(1).endpoint());
        assertThat(report.models()).as("the primary model stayed up throughout").containsOnlyKeys(ChaosStack.PRIMARY);
    }

    /** What the job holds, for the longest fault, stays what it holds without one. */
    @Order(2)
    @Test
    void heldWorkKeepsTheHeapBounded() {
        double steady = REPORTS.get(ChaosScenario.NONE).peakHeapAfterGcMb();

        assertThat(REPORTS.get(ChaosScenario.LONG_OUTAGE).peakHeapAfterGcMb()).as("peak heap after GC, MB")
                .isLessThan(steady * 1.5);
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
