package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tests for how the {@link Gateway} hands deadlines to its backends and cancels calls nobody waits for. */
class GatewayCancellationTest {

    /** One request per call; a circuit that opens once half of its last two calls failed. */
    private static final GatewayOptions ONE_PER_CALL = new GatewayOptions(1, 10_000, Duration.ZERO, 8, 1, 8, false,
            new ResilienceOptions(3, Duration.ofMillis(5), Duration.ofMillis(20), 50, 2, Duration.ofSeconds(60)));

    private static GenerationRequest request(String id) {
        return GenerationRequest.of(id, "prompt " + id, 16);
    }

    @Test
    void eachRequestCarriesItsDeadlineToTheBackend() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, ONE_PER_CALL)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            gateway.submit(request("due"), true, deadline);
            gateway.submit(request("open"), true, 0);
            backend.awaitCalls(2);

            assertThat(backend.calls.get(0).get(0).deadlineNanos()).isEqualTo(deadline);
            assertThat(backend.calls.get(1).get(0).deadlineNanos()).isZero();
        }
    }

    @Test
    void withdrawingAnInFlightCallCancelsItAndDoesNotOpenTheCircuit() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, ONE_PER_CALL)) {
            for (int i = 0; i < 4; i++) {
                CompletableFuture<Gateway.Answer> sent = gateway.submit(request("r" + i), true, 0);
                backend.awaitCalls(i + 1);

                assertThat(gateway.withdraw(List.of(sent))).as("not in the queue").isZero();
                assertThat(backend.answers.get(i).isCancelled()).as("call %d cancelled", i).isTrue();
                assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            }
            // Four cancelled calls against a window of two: had they counted as failures, the circuit would be open
            // and the next request would wait in the queue.
            CompletableFuture<Gateway.Answer> next = gateway.submit(request("next"), true, 0);
            backend.awaitCalls(5);
            backend.answer(4);

            assertThat(next.get(5, TimeUnit.SECONDS).result().text()).isEqualTo("ok");
            assertThat(gateway.stats().openCircuits()).isZero();
            assertThat(gateway.stats().inFlight()).as("slots returned").isZero();
            assertThat(gateway.stats().retries()).isZero();
        }
    }

    /**
     * Under queueing, requests reach a server with little time left and their calls end at their deadlines; that
     * says they came late, not that the server failed, so a healthy replica's circuit stays closed.
     */
    @Test
    void callsThatRanOutOfTheirRequestsShortTimeLeaveTheCircuitClosed() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, ONE_PER_CALL)) {
            answerAfter(gateway, backend, Duration.ofMillis(600));
            for (int call = 1; call <= 4; call++) {
                failAtItsDeadline(gateway, backend, call, Duration.ofMillis(150));
            }

            assertThat(gateway.stats().openCircuits()).as("four late calls against a window of two").isZero();
        }
    }

    /** A call that had as long as calls here usually take, and still no answer, is the server's failure. */
    @Test
    void aCallThatHadItsUsualTimeAndNoAnswerCounts() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, ONE_PER_CALL)) {
            answerAfter(gateway, backend, Duration.ZERO);
            failAtItsDeadline(gateway, backend, 1, Duration.ofMillis(150));

            assertThat(gateway.stats().openCircuits()).as("one answered and one hung call, half failed").isOne();
        }
    }

    /** Sends the first request and answers it after {@code delay}: how long calls here usually take. */
    private static void answerAfter(Gateway gateway, ManualBackend backend, Duration delay) throws Exception {
        CompletableFuture<Gateway.Answer> first = gateway.submit(request("first"), true, 0);
        backend.awaitCalls(1);
        Thread.sleep(delay.toMillis());
        backend.answer(0);
        first.get(5, TimeUnit.SECONDS);
    }

    /** Sends a request with {@code timeLeft}, and fails its call, the {@code call}th, as gRPC does at its deadline. */
    private static void failAtItsDeadline(Gateway gateway, ManualBackend backend, int call, Duration timeLeft)
            throws Exception {
        CompletableFuture<Gateway.Answer> late = gateway.submit(request("late" + call), true,
                System.nanoTime() + timeLeft.toNanos());
        backend.awaitCalls(call + 1);
        Thread.sleep(timeLeft.toMillis() + 50);
        backend.fail(call, BackendException.retryable("DEADLINE_EXCEEDED: the call's deadline passed", null));

        assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(DeadlineExceededException.class);
    }

    @Test
    void aCallGoesOnWhileAnyOfItsRequestsIsWanted() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(2, 10_000, Duration.ofSeconds(5), 8, 1, 8,
                false))) {
            CompletableFuture<Gateway.Answer> dropped = gateway.submit(request("dropped"), true, 0);
            CompletableFuture<Gateway.Answer> wanted = gateway.submit(request("wanted"), true, 0);
            backend.awaitCalls(1);
            assertThat(backend.calls.get(0)).hasSize(2);

            gateway.withdraw(List.of(dropped));
            assertThat(backend.answers.get(0).isCancelled()).isFalse();
            gateway.withdraw(List.of(wanted, dropped));
            assertThat(backend.answers.get(0).isCancelled()).as("once both are withdrawn").isTrue();
            assertThatThrownBy(() -> wanted.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            assertThatThrownBy(() -> dropped.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        }
    }
}
