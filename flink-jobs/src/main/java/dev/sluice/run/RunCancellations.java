package dev.sluice.run;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * The bulk runs cancelled so far, shared by the operators of one TaskManager: the filter that learns of a
 * cancellation from the broadcast commands records it here, and the inference operator cancels the run's requests
 * that wait in a gateway's queue, which then drops them unsent. Keyed by {@link RunKeys}.
 */
public final class RunCancellations {

    private static final RunCancellations SHARED = new RunCancellations();

    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<Future<?>>> waiting = new ConcurrentHashMap<>();

    /** The one per JVM, as a TaskManager's operators share their gateways. */
    public static RunCancellations shared() {
        return SHARED;
    }

    public boolean isCancelled(String runKey) {
        return cancelled.contains(runKey);
    }

    /** Marks the run cancelled and cancels what of it waits. */
    public void cancel(String runKey) {
        cancelled.add(runKey);
        Set<Future<?>> futures = waiting.remove(runKey);
        if (futures != null) {
            futures.forEach(future -> future.cancel(false));
        }
    }

    /**
     * Watches a request of the run until {@link #finished}: cancelled with the run. One registered after the run
     * was cancelled is cancelled at once.
     */
    public void watch(String runKey, Future<?> request) {
        // Added inside compute, so a concurrent finished() cannot drop the set this joins.
        waiting.compute(runKey, (key, futures) -> {
            Set<Future<?>> joined = futures == null ? ConcurrentHashMap.newKeySet() : futures;
            joined.add(request);
            return joined;
        });
        if (cancelled.contains(runKey)) {
            cancel(runKey);
        }
    }

    public void finished(String runKey, Future<?> request) {
        waiting.computeIfPresent(runKey, (key, futures) -> {
            futures.remove(request);
            return futures.isEmpty() ? null : futures;
        });
    }
}
