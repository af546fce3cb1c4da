package dev.sluice.backend;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed server call, classified once so callers never inspect protocol status codes.
 *
 * <p>Stack traces are off: these are expected, frequent under faults, and the message names the endpoint.
 */
public final class BackendException extends RuntimeException {

    private final boolean retryable;
    private final Duration retryAfter;

    private BackendException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
        super(message, cause, false, false);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** A failure that may pass if tried again later: unavailable, overloaded, timed out. */
    public static BackendException retryable(String message, Throwable cause) {
        return new BackendException(message, true, null, cause);
    }

    /**
     * A retryable failure from a server that said when to come back (HTTP's {@code Retry-After} on a 429 or 503):
     * nothing more is sent to it before then.
     */
    public static BackendException retryAfter(String message, Duration wait) {
        return new BackendException(message, true, wait, null);
    }

    /** A failure that will repeat: a bad request, a missing model, a protocol mismatch. */
    public static BackendException permanent(String message, Throwable cause) {
        return new BackendException(message, false, null, cause);
    }

    public boolean isRetryable() {
        return retryable;
    }

    /** How long the server asked to be left alone, where it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
