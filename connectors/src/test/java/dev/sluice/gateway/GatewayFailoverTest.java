package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link Gateway}s whose failed requests move on to another gateway, as the inference function fails a
 * request over from one model to the next from the failed request's callback.
 */
class GatewayFailoverTest {

    /** One try per request and a breaker that never opens: every call fails its request at once. */
    private static final GatewayOptions OPTIONS = new GatewayOptions(1, 10_000, Duration.ZERO, 8, 1, 8, false,
            new ResilienceOptions(1, Duration.ofMillis(5), Duration.ofMillis(5), 100, 1_000, Duration.ofSeconds(1)));

    @Test
    void twoModelsThatFailOverToEachOtherWhileBothFailDoNotDeadlock() {
        // Hung gateways cannot be closed, so the whole test runs under a timeout that abandons it.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            SwitchableBackend first = new SwitchableBackend();
            SwitchableBackend second = new SwitchableBackend();
            first.down = true;
            second.down = true;
            // The first failure of each model waits for the other's: both models fail at the same moment.
            CountDownLatch bothFailing = new CountDownLatch(2);
            try (Gateway one = new Gateway(first, OPTIONS); Gateway other = new Gateway(second, OPTIONS)) {
                List<CompletableFuture<Gateway.Answer>> outcomes = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    outcomes.add(withFailover(one, other, GenerationRequest.of("a" + i, "prompt a" + i, 16),
                            bothFailing));
                    outcomes.add(withFailover(other, one, GenerationRequest.of("b" + i, "prompt b" + i, 16),
                            bothFailing));
                }

                outcomes.forEach(outcome -> assertThatThrownBy(outcome::join)
                        .hasCauseInstanceOf(BackendException.class).hasMessageContaining("unavailable"));
                // Each model was tried with its own requests and then with the other's.
                assertThat(first.calls).hasSize(100);
                assertThat(second.calls).hasSize(100);
            }
        });
    }

    /** The request on {@code primary}, and once that fails it, on {@code fallback}. */
    private static CompletableFuture<Gateway.Answer> withFailover(Gateway primary, Gateway fallback,
            GenerationRequest request, CountDownLatch bothFailing) {
        CompletableFuture<Gateway.Answer> outcome = new CompletableFuture<>();
        primary.submit(request, true, 0).whenComplete((answer, failure) -> {
            if (failure == null) {
                outcome.complete(answer);
                return;
            }
            bothFailing.countDown();
            try {
                bothFailing.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            fallback.submit(request, true, 0).whenComplete((last, lastFailure) -> {
                if (lastFailure == null) {
                    outcome.complete(last);
                } else {
                    outcome.completeExceptionally(lastFailure);
                }
            });
        });
        return outcome;
    }
}
