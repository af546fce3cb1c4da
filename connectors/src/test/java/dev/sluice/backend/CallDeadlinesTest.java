package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link CallDeadlines}. */
class CallDeadlinesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long NOW = 1_000_000_000_000L;

    private static GenerationRequest due(long deadlineNanos) {
        return GenerationRequest.of("r", "p", 8).withDeadlineNanos(deadlineNanos);
    }

    @Test
    void requestsWithoutDeadlineGetTheWholeCallTimeout() {
        assertThat(CallDeadlines.remainingNanos(List.of(due(0), due(0)), TIMEOUT, NOW)).isEqualTo(TIMEOUT.toNanos());
    }

    @Test
    void aRequestDueBeforeTheTimeoutBoundsTheCallByItsRemainingTime() {
        assertThat(CallDeadlines.remainingNanos(List.of(due(NOW + 2_000_000_000L)), TIMEOUT, NOW))
                .isEqualTo(2_000_000_000L);
    }

    @Test
    void aBatchIsBoundByItsMostUrgentRequest() {
        List<GenerationRequest> batch = List.of(due(NOW + 9_000_000_000L), due(0), due(NOW + 3_000_000_000L));
        assertThat(CallDeadlines.remainingNanos(batch, TIMEOUT, NOW)).isEqualTo(3_000_000_000L);
    }

    @Test
    void aDeadlineBeyondTheTimeoutIsCappedByIt() {
        assertThat(CallDeadlines.remainingNanos(List.of(due(NOW + TIMEOUT.toNanos() * 10)), TIMEOUT, NOW))
                .isEqualTo(TIMEOUT.toNanos());
    }

    @Test
    void aPassedDeadlineLeavesNoTime() {
        assertThat(CallDeadlines.remainingNanos(List.of(due(NOW - 5)), TIMEOUT, NOW)).isEqualTo(-5);
    }

    @Test
    void deadlinesAcrossTheNanoTimeWrapAreStillDifferences() {
        long now = Long.MAX_VALUE - 1_000;
        assertThat(CallDeadlines.remainingNanos(List.of(due(now + 2_000)), TIMEOUT, now)).isEqualTo(2_000);
    }

    @Test
    void withDeadlineKeepsEverythingElse() {
        OutputConstraint constraint = new OutputConstraint(OutputConstraint.Kind.REGEX, "[a-z]+");
        GenerationRequest request = new GenerationRequest("r", "p", 8, 0.5f, 0.9f, 7L, List.of("x"), List.of())
                .withConstraint(constraint);
        assertThat(request.deadlineNanos()).isZero();
        assertThat(request.withDeadlineNanos(42)).isEqualTo(new GenerationRequest("r", "p", 8, 0.5f, 0.9f, 7L,
                List.of("x"), List.of(), 42, constraint, false));
    }
}
