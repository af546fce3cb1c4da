package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.InferenceBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/** Records each call and leaves it open until the test completes it; its readiness checks wait for a latch. */
class ManualBackend implements InferenceBackend {
    final List<List<GenerationRequest>> calls = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<List<GenerationResult>>> answers = new CopyOnWriteArrayList<>();
    final int perCall;
    private final CountDownLatch answerChecks;

    ManualBackend() {
        this(Integer.MAX_VALUE);
    }

    ManualBackend(int perCall) {
        this(perCall, new CountDownLatch(0));
    }

    /** A backend whose readiness checks answer once {@code answerChecks} is counted down. */
    ManualBackend(int perCall, CountDownLatch answerChecks) {
        this.perCall = perCall;
        this.answerChecks = answerChecks;
    }

    @Override
    public int maxBatchPerCall() {
        return perCall;
    }

    @Override
    public void checkReady(Duration deadline) {
        try {
            answerChecks.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackendException.retryable("interrupted", e);
        }
    }

    @Override
    public CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch) {
        CompletableFuture<List<GenerationResult>> answer = new CompletableFuture<>();
        calls.add(batch);
        answers.add(answer);
        return answer;
    }

    /** Fails call {@code call} (0-based) with {@code failure}. */
    void fail(int call, Throwable failure) {
        answers.get(call).completeExceptionally(failure);
    }

    void answer(int call) {
        List<GenerationResult> results = new ArrayList<>();
        for (GenerationRequest request : calls.get(call)) {
            results.add(new GenerationResult(request.id(), "ok", "stop", 1, 4, 0, calls.get(call).size(), 0));
        }
        answers.get(call).complete(results);
    }

    void awaitCalls(int count) throws InterruptedException {
        await(() -> calls.size() >= count);
        assertThat(calls).hasSizeGreaterThanOrEqualTo(count);
    }

    /**
     * Waits until {@code replicas} replicas of {@code gateway} are ready, so that no request goes to one replica
     * for want of another that is still being checked.
     */
    static void awaitReady(Gateway gateway, int replicas) throws InterruptedException {
        await(() -> gateway.stats().readyReplicas() == replicas);
        assertThat(gateway.stats().readyReplicas()).isEqualTo(replicas);
    }

    /** Waits up to 5 s for {@code condition}; the caller asserts what it needs. */
    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Override
    public String protocol() {
        return "manual";
    }

    @Override
    public String endpoint() {
        return "manual:0";
    }

    @Override
    public void close() {
    }
}
