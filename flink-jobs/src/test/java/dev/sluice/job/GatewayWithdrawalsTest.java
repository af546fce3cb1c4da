package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.GatewayOptions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.Test;

/** Tests for {@link GatewayWithdrawals}, against a gateway whose backend never answers. */
class GatewayWithdrawalsTest {

    /** Hands each call's future to the test, which never completes it. */
    private static final class SilentBackend implements InferenceBackend {
        final LinkedBlockingQueue<CompletableFuture<List<GenerationResult>>> calls = new LinkedBlockingQueue<>();

        @Override
        public void checkReady(Duration deadline) {
        }

        @Override
        public CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch) {
            CompletableFuture<List<GenerationResult>> call = new CompletableFuture<>();
            calls.add(call);
            return call;
        }

        @Override
        public String protocol() {
            return "silent";
        }

        @Override
        public String endpoint() {
            return "silent:0";
        }

        @Override
        public void close() {
        }
    }

    /** A result nobody reads: only its identity matters here. */
    private static ResultFuture<String> result() {
        return new ResultFuture<>() {
            @Override
            public void complete(Collection<String> values) {
            }

            @Override
            public void completeExceptionally(Throwable failure) {
            }

            @Override
            public void complete(CollectionSupplier<String> supplier) {
            }
        };
    }

    @Test
    void aRequestGivenUpOnByItsResultHasItsCallCancelledAndOthersAreUntouched() throws Exception {
        SilentBackend backend = new SilentBackend();
        GatewayWithdrawals withdrawals = new GatewayWithdrawals();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(1, 10_000, Duration.ZERO, 8, 1, 8, false))) {
            ResultFuture<String> timedOut = result();
            ResultFuture<String> waiting = result();
            CompletableFuture<Gateway.Answer> first = gateway.submit(GenerationRequest.of("a", "a", 8), true, 0);
            withdrawals.entered(timedOut, gateway, first);
            CompletableFuture<List<GenerationResult>> firstCall = backend.calls.poll(10, TimeUnit.SECONDS);
            CompletableFuture<Gateway.Answer> second = gateway.submit(GenerationRequest.of("b", "b", 8), true, 0);
            withdrawals.entered(waiting, gateway, second);
            CompletableFuture<List<GenerationResult>> secondCall = backend.calls.poll(10, TimeUnit.SECONDS);

            withdrawals.withdraw(timedOut);

            assertThat(firstCall.isCancelled()).isTrue();
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            assertThat(secondCall.isCancelled()).isFalse();
            withdrawals.left(waiting);
            withdrawals.withdraw(waiting);
            assertThat(secondCall.isCancelled()).as("left its gateway: nothing to withdraw").isFalse();
        }
    }
}
