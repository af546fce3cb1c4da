package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tests for the {@link Gateway}'s retries, backoff and per-replica circuit breakers. */
class GatewayResilienceTest {

    private static GatewayOptions options(ResilienceOptions resilience) {
        return new GatewayOptions(1, 10_000, Duration.ZERO, 8, 1, 8, false, resilience);
    }

    private static ResilienceOptions resilience(int attempts, long backoffMillis, int window, long openMillis) {
        return new ResilienceOptions(attempts, Duration.ofMillis(backoffMillis), Duration.ofMillis(backoffMillis * 4),
                50, window, Duration.ofMillis(openMillis));
    }

    private static GenerationRequest request(String id) {
        return GenerationRequest.of(id, "prompt " + id, 16);
    }

    @Test
    void aRetryableFailureIsTriedAgainAfterABackoff() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, options(resilience(3, 40, 10, 1_000)))) {
            CompletableFuture<Gateway.Answer> answer = gateway.submit(request("r"), true, 0);
            backend.awaitCalls(1);
            long failedAt = System.nanoTime();
            backend.fail(0, BackendException.retryable("unavailable", null));
            backend.awaitCalls(2);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedAt);
            backend.answer(1);

            // 40 ms with ±50 % jitter: never sooner than 20 ms.
            assertThat(waited).isGreaterThanOrEqualTo(20);
            assertThat(answer.join().retries()).isEqualTo(1);
            assertThat(gateway.stats().retries()).isEqualTo(1);
        }
    }

    /** HTTP's Retry-After: the retry waits that long, not the 5 ms backoff, and the server gets nothing meanwhile. */
    @Test
    void aServerThatSaysWhenToComeBackIsLeftAloneUntilThen() throws Exception {
        ManualBackend backend = new ManualBackend(1);
        try (Gateway gateway = new Gateway(backend, options(resilience(3, 5, 10, 1_000)))) {
            CompletableFuture<Gateway.Answer> first = gateway.submit(request("r"), true, 0);
            backend.awaitCalls(1);
            long failedAt = System.nanoTime();
            backend.fail(0, BackendException.retryAfter("HTTP 429", Duration.ofMillis(300)));
            CompletableFuture<Gateway.Answer> second = gateway.submit(request("s"), true, 0);
            Thread.sleep(150);

            assertThat(backend.calls).as("held off: neither the retry nor a new request went out").hasSize(1);
            backend.awaitCalls(2);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedAt)).isGreaterThanOrEqualTo(300);
            backend.answer(1);
            backend.awaitCalls(3);
            backend.answer(2);
            assertThat(first.join().retries() + second.join().retries()).isEqualTo(1);
        }
    }

    @Test
    void aRetryGoesToAnotherReplicaThanTheOneThatFailedIt() throws Exception {
        ManualBackend first = new ManualBackend(1);
        ManualBackend second = new ManualBackend(1);
        try (Gateway gateway = new Gateway(List.of(first, second), options(resilience(3, 5, 10, 1_000))
                .withPrefixGrouping(true))) {
            ManualBackend.awaitReady(gateway, 2);
            CompletableFuture<Gateway.Answer> answer = gateway.submit(request("r"), true, 0);
            ManualBackend.await(() -> first.calls.size() + second.calls.size() == 1);
            ManualBackend failing = first.calls.isEmpty() ? second : first;
            ManualBackend other = failing == first ? second : first;
            failing.fail(0, BackendException.retryable("unavailable", null));
            other.awaitCalls(1);
            other.answer(0);

            // The prefix hashes to the failing replica, yet the retry went elsewhere.
            assertThat(answer.join().retries()).isEqualTo(1);
            assertThat(failing.calls).hasSize(1);
        }
    }

    @Test
    void aPermanentFailureIsNotRetried() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, options(resilience(3, 5, 10, 1_000)))) {
            CompletableFuture<Gateway.Answer> answer = gateway.submit(request("r"), true, 0);
            backend.awaitCalls(1);
            backend.fail(0, BackendException.permanent("invalid argument", null));

            assertThatThrownBy(answer::join).hasMessageContaining("invalid argument");
            Thread.sleep(50);
            assertThat(backend.calls).hasSize(1);
        }
    }

    @Test
    void triesAreBounded() throws Exception {
        SwitchableBackend backend = new SwitchableBackend();
        backend.down = true;
        try (Gateway gateway = new Gateway(backend, options(resilience(3, 5, 10, 1_000)))) {
            CompletableFuture<Gateway.Answer> answer = gateway.submit(request("r"), true, 0);

            assertThatThrownBy(answer::join).hasCauseInstanceOf(BackendException.class)
                    .hasMessageContaining("failed 3 times, last: unavailable");
            assertThat(backend.calls).hasSize(3);
        }
    }

    @Test
    void aRetryThatWouldOutliveItsDeadlineEndsAsDeadlineExceeded() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, options(resilience(3, 500, 10, 1_000)))) {
            CompletableFuture<Gateway.Answer> answer = gateway.submit(request("r"), true,
                    System.nanoTime() + Duration.ofMillis(100).toNanos());
            backend.awaitCalls(1);
            backend.fail(0, BackendException.retryable("unavailable", null));

            assertThatThrownBy(answer::join).hasCauseInstanceOf(DeadlineExceededException.class)
                    .hasMessageContaining("deadline would pass before retry 1");
        }
    }

    @Test
    void aReplicaFailingMostCallsGetsNothingUntilAProbeFindsItWell() throws Exception {
        SwitchableBackend sick = new SwitchableBackend();
        SwitchableBackend well = new SwitchableBackend();
        sick.down = true;
        try (Gateway gateway = new Gateway(List.of(sick, well), options(resilience(4, 5, 4, 300)))) {
            ManualBackend.awaitReady(gateway, 2);
            List<CompletableFuture<Gateway.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                answers.add(gateway.submit(request("a" + i), true, 0));
                answers.get(i).join();
            }
            // Four failed calls in a window of four open the circuit; after that the sick replica sees nothing.
            assertThat(sick.failedCalls.get()).isEqualTo(4);
            assertThat(gateway.stats().openCircuits()).isEqualTo(1);

            sick.down = false;
            Thread.sleep(400);
            for (int i = 0; i < 40; i++) {
                gateway.submit(request("b" + i), true, 0).join();
            }

            assertThat(gateway.stats().openCircuits()).isZero();
            assertThat(sick.calls.size()).as("calls to the recovered replica").isGreaterThan(4 + 10);
        }
    }

    @Test
    void whileEveryCircuitIsOpenRequestsWaitForTheServerToReturn() throws Exception {
        SwitchableBackend only = new SwitchableBackend();
        only.down = true;
        try (Gateway gateway = new Gateway(only, options(resilience(10, 5, 2, 300)))) {
            CompletableFuture<Gateway.Answer> answer = gateway.submit(request("r"), true, 0);
            ManualBackend.await(() -> gateway.stats().openCircuits() == 1);
            int callsWhileOpen = only.calls.size();
            assertThat(gateway.stats().openCircuits()).isEqualTo(1);
            only.down = false;

            assertThat(answer.get(5, TimeUnit.SECONDS).retries()).isEqualTo(2);
            // Two failures opened the circuit; the next call was the probe that answered.
            assertThat(callsWhileOpen).isEqualTo(2);
            assertThat(only.calls).hasSize(3);
        }
    }
}
