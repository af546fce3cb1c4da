package dev.sluice.gateway;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.InferenceBackend;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one replica's server is ready for calls, found out off the caller's thread: its readiness is checked at
 * once and, while checks fail, again after a backoff, until one passes; from then on its circuit breaker judges it.
 * The states follow a gRPC subchannel's: {@code STARTING} (grpc-java's CONNECTING) until the first check ends, then
 * {@code READY}, or {@code NOT_READY} (TRANSIENT_FAILURE) while checks fail.
 */
final class ReadinessProbe {

    private static final Logger LOG = LoggerFactory.getLogger(ReadinessProbe.class);

    /**
     * Longest one check may take, far below a request's timeout: a server that takes connections and never
     * answers holds requests back no longer than this while no other replica is ready. Long enough for an SGLang
     * worker's tokenizer archive, which the check fetches.
     */
    static final Duration DEADLINE = Duration.ofSeconds(5);

    enum State { STARTING, READY, NOT_READY }

    private final InferenceBackend backend;
    private final ScheduledExecutorService scheduler;
    private final IntervalFunction backoff;
    private final Runnable onCheck;
    private volatile State state = State.STARTING;
    private volatile String failure;
    /** Checks failed so far; one check runs at a time, each scheduled by the one before. */
    private int failed;

    /** Checks on {@code scheduler}, waits {@code backoff} after a failure, and runs {@code onCheck} after each. */
    ReadinessProbe(InferenceBackend backend, ScheduledExecutorService scheduler, IntervalFunction backoff,
            Runnable onCheck) {
        this.backend = backend;
        this.scheduler = scheduler;
        this.backoff = backoff;
        this.onCheck = onCheck;
    }

    void start() {
        scheduler.execute(this::check);
    }

    State state() {
        return state;
    }

    /** Why the last check failed; null before one has. */
    String failure() {
        return failure;
    }

    private void check() {
        try {
            backend.checkReady(DEADLINE);
            state = State.READY;
            if (failed > 0) {
                LOG.info("{} is ready after {} failed readiness checks", backend.endpoint(), failed);
            }
        } catch (RuntimeException e) {
            failure = e instanceof BackendException ? e.getMessage() : backend.endpoint() + ": " + e;
            state = State.NOT_READY;
            if (failed++ == 0) {
                LOG.warn("{} is not ready, checking again until it is: {}", backend.endpoint(), failure);
            }
            try {
                scheduler.schedule(this::check, backoff.apply(failed), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                // The gateway closed meanwhile: nothing waits for this replica any more.
            }
        }
        onCheck.run();
    }
}
