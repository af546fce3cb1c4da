package dev.sluice.job;

import dev.sluice.routing.ModelAvailability;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this TaskManager has seen of each model's servers, shared by the routing and inference operators in it:
 * requests in flight, and whether the model is down. A model is down after {@value #FAILURES_TO_DOWN} retryable
 * failures in a row, for {@value #DOWN_MILLIS} ms; then one request may try it again.
 */
final class ModelHealth implements ModelAvailability {

    static final int FAILURES_TO_DOWN = 5;
    static final long DOWN_MILLIS = 10_000;
    private static final ModelHealth SHARED = new ModelHealth();

    private final Map<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicInteger inFlight = new AtomicInteger();
        volatile int consecutiveFailures;
        volatile long downUntilMillis;
    }

    static ModelHealth shared() {
        return SHARED;
    }

    void started(String modelId) {
        state(modelId).inFlight.incrementAndGet();
    }

    void finished(String modelId, boolean succeeded, boolean retryableFailure) {
        State state = state(modelId);
        state.inFlight.decrementAndGet();
        if (succeeded) {
            state.consecutiveFailures = 0;
        } else if (retryableFailure && ++state.consecutiveFailures >= FAILURES_TO_DOWN) {
            state.downUntilMillis = System.currentTimeMillis() + DOWN_MILLIS;
            state.consecutiveFailures = 0;
        }
    }

    @Override
    public boolean isDown(String modelId) {
        State state = states.get(modelId);
        return state != null && System.currentTimeMillis() < state.downUntilMillis;
    }

    @Override
    public int inFlight(String modelId) {
        State state = states.get(modelId);
        return state == null ? 0 : state.inFlight.get();
    }

    private State state(String modelId) {
        return states.computeIfAbsent(modelId, id -> new State());
    }
}
