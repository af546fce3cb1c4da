package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
