package dev.sluice.backend;

import java.time.Duration;
import java.util.List;

/**
 * How long a server call may run: the time its most urgent request has left, never more than the call timeout.
 * A server that gets the pipeline's own deadline stops working for a request once the pipeline has given up on
 * it, instead of generating on until the call timeout.
 */
public final class CallDeadlines {

    private CallDeadlines() {}

    /**
     * Nanoseconds from {@code nowNanos} until the call carrying {@code requests} must end: the least time left
     * until any of their deadlines ({@link GenerationRequest#deadlineNanos()}; 0 is none), capped at
     * {@code callTimeout}. Zero or less when a deadline has already passed, which gRPC fails at once with
     * {@code DEADLINE_EXCEEDED}.
     */
    public static long remainingNanos(List<GenerationRequest> requests, Duration callTimeout, long nowNanos) {
        long remaining = callTimeout.toNanos();
        for (GenerationRequest request : requests) {
            if (request.deadlineNanos() != 0) {
                // A difference of nanoTime instants, as nanoTime requires: never compared directly.
                remaining = Math.min(remaining, request.deadlineNanos() - nowNanos);
            }
        }
        return remaining;
    }

    /** {@link #remainingNanos} from now. */
    public static long remainingNanos(List<GenerationRequest> requests, Duration callTimeout) {
        return remainingNanos(requests, callTimeout, System.nanoTime());
    }
}
