package dev.sluice.gateway;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Answers at once, one request per call: fails every call retryably while {@code down}, else answers "ok". */
class SwitchableBackend extends ManualBackend {
    volatile boolean down;
    final AtomicInteger failedCalls = new AtomicInteger();

    SwitchableBackend() {
        super(1);
    }

    @Override
    public CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch) {
        calls.add(batch);
        if (down) {
            failedCalls.incrementAndGet();
            return CompletableFuture.failedFuture(BackendException.retryable("unavailable", null));
        }
        return CompletableFuture.completedFuture(batch.stream()
                .map(r -> new GenerationResult(r.id(), "ok", "stop", 1, 4, 0, 1, 0)).toList());
    }
}
