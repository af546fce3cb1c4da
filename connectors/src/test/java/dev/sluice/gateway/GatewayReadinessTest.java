package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tests for how a {@link Gateway} learns that its replicas are ready, and what its requests do meanwhile. */
class GatewayReadinessTest {

    /** One request at a time per replica, and backoffs of 5 to 20 ms between readiness checks. */
    private static final GatewayOptions OPTIONS = new GatewayOptions(1, 10_000, Duration.ZERO, 1, 1, 1, false,
            new ResilienceOptions(3, Duration.ofMillis(5), Duration.ofMillis(20), 50, 10, Duration.ofSeconds(1)));

    /** A backend whose readiness check fails while {@code down}, and first waits for {@code answerChecks}. */
    private static final class ProbedBackend extends ManualBackend {
        volatile boolean down;

        ProbedBackend(boolean down, CountDownLatch answerChecks) {
            super(1, answerChecks);
            this.down = down;
        }

        ProbedBackend(boolean down) {
            this(down, new CountDownLatch(0));
        }

        @Override
        public void checkReady(Duration deadline) {
            super.checkReady(deadline);
            if (down) {
                throw BackendException.retryable("connection refused", null);
            }
        }
    }

    private static GenerationRequest request(String id) {
        return GenerationRequest.of(id, "prompt " + id, 16);
    }

    @Test
    void aReplicaDownAtStartIsPassedOverAndJoinsOnceItIsReady() throws Exception {
        ProbedBackend late = new ProbedBackend(true);
        ProbedBackend up = new ProbedBackend(false);
        try (Gateway gateway = new Gateway(List.of(late, up), OPTIONS)) {
            CompletableFuture<Gateway.Answer> early = gateway.submit(request("early"), true, 0);
            up.awaitCalls(1);
            up.answer(0);
            assertThat(early.get(5, TimeUnit.SECONDS).result().text()).isEqualTo("ok");
            assertThat(gateway.isAvailable()).isTrue();

            late.down = false;
            ManualBackend.awaitReady(gateway, 2);
            // One request at a time each: two at once need both replicas.
            gateway.submit(request("a"), true, 0);
            gateway.submit(request("b"), true, 0);

            late.awaitCalls(1);
            up.awaitCalls(2);
        }
    }

    @Test
    void requestsWaitWhileAReplicaIsCheckedForTheFirstTime() throws Exception {
        CountDownLatch answerChecks = new CountDownLatch(1);
        ProbedBackend slow = new ProbedBackend(false, answerChecks);
        // The constructor returns while the check hangs.
        try (Gateway gateway = new Gateway(slow, OPTIONS)) {
            CompletableFuture<Gateway.Answer> waiting = gateway.submit(request("r"), true, 0);
            Thread.sleep(100);
            assertThat(waiting).isNotDone();
            assertThat(slow.calls).isEmpty();
            assertThat(gateway.isAvailable()).as("not known to be down").isTrue();

            answerChecks.countDown();
            slow.awaitCalls(1);
            slow.answer(0);

            assertThat(waiting.get(5, TimeUnit.SECONDS).result().text()).isEqualTo("ok");
        }
    }

    @Test
    void whenNoReplicaIsReadyRequestsFailAtOnceRetryablyAndTheGatewayIsUnavailable() throws Exception {
        ProbedBackend first = new ProbedBackend(true);
        ProbedBackend second = new ProbedBackend(true);
        try (Gateway gateway = new Gateway(List.of(first, second), OPTIONS)) {
            CompletableFuture<Gateway.Answer> answer = gateway.submit(request("r"), true, 0);

            assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.isRetryable()).isTrue())
                    .hasMessage("no replica is ready: connection refused; connection refused");
            assertThat(gateway.isAvailable()).isFalse();
            assertThat(first.calls).isEmpty();
            assertThat(second.calls).isEmpty();
        }
    }
}
