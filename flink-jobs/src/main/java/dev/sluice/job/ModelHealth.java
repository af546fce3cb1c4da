package dev.sluice.job;

import dev.sluice.routing.ModelAvailability;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What this TaskManager has seen of each model's servers (per model and endpoint: a job restarted against other
 * servers under the same model ids starts afresh), shared by the routing and inference operators in it:
 * requests in flight, and whether the model is down. A model is down while no replica behind its gateway may take
 * calls (each has its circuit open or failed its last readiness check), or, for {@value #DOWN_MILLIS} ms, after
 * {@value #FAILURES_TO_DOWN} requests in a row failed retryably (they were retried already, or no replica was
 * ready); then one may try it again.
 */
final class ModelHealth implements ModelAvailability {

    static final int FAILURES_TO_DOWN = 5;
    static final long DOWN_MILLIS = 10_000;
    private static final ModelHealth SHARED = new ModelHealth();

    private final Map<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        volatile long downUntilMillis;
        volatile BooleanSupplier serversAvailable = () -> true;
        volatile Supplier<OptionalInt> servedContext = OptionalInt::empty;
        volatile Function<String, OptionalInt> tokenizer = text -> OptionalInt.empty();
    }

    static ModelHealth shared() {
        return SHARED;
    }

    /**
     * From now on the model is down whenever {@code serversAvailable} says no, its context is what
     * {@code servedContext} says and a prompt's tokens what {@code tokenizer} counts, where they say.
     */
    void watch(String modelId, String endpoint, BooleanSupplier serversAvailable,
            Supplier<OptionalInt> servedContext, Function<String, OptionalInt> tokenizer) {
        State state = state(modelId, endpoint);
        state.serversAvailable = serversAvailable;
        state.servedContext = servedContext;
        state.tokenizer = tokenizer;
    }

    void started(String modelId, String endpoint) {
        state(modelId, endpoint).inFlight.incrementAndGet();
    }

    void finished(String modelId, String endpoint, boolean succeeded, boolean retryableFailure) {
        State state = state(modelId, endpoint);
        state.inFlight.decrementAndGet();
        if (succeeded) {
            state.consecutiveFailures.set(0);
        } else if (retryableFailure && state.consecutiveFailures.incrementAndGet() >= FAILURES_TO_DOWN) {
            state.downUntilMillis = System.currentTimeMillis() + DOWN_MILLIS;
            state.consecutiveFailures.set(0);
        }
    }

    @Override
    public boolean isDown(String modelId, String endpoint) {
        State state = states.get(key(modelId, endpoint));
        return state != null && (System.currentTimeMillis() < state.downUntilMillis
                || !state.serversAvailable.getAsBoolean());
    }

    @Override
    public int inFlight(String modelId, String endpoint) {
        State state = states.get(key(modelId, endpoint));
        return state == null ? 0 : state.inFlight.get();
    }

    @Override
    public OptionalInt servedContext(String modelId, String endpoint) {
        State state = states.get(key(modelId, endpoint));
        return state == null ? OptionalInt.empty() : state.servedContext.get();
    }

    @Override
    public OptionalInt promptTokens(String modelId, String endpoint, String prompt) {
        State state = states.get(key(modelId, endpoint));
        return state == null ? OptionalInt.empty() : state.tokenizer.apply(prompt);
    }

    private State state(String modelId, String endpoint) {
        return states.computeIfAbsent(key(modelId, endpoint), key -> new State());
    }

    private static String key(String modelId, String endpoint) {
        return modelId + " at " + endpoint;
    }
}
