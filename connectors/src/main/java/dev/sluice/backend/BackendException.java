package dev.sluice.backend;

/**
 * A failed server call, classified once so callers never inspect protocol status codes.
 *
 * <p>Stack traces are off: these are expected, frequent under faults, and the message names the endpoint.
 */
public final class BackendException extends RuntimeException {

    private final boolean retryable;

    private BackendException(String message, boolean retryable, Throwable cause) {
        super(message, cause, false, false);
        this.retryable = retryable;
    }

    /** A failure that may pass if tried again later: unavailable, overloaded, timed out. */
    public static BackendException retryable(String message, Throwable cause) {
        return new BackendException(message, true, cause);
    }

    /** A failure that will repeat: a bad request, a missing model, a protocol mismatch. */
    public static BackendException permanent(String message, Throwable cause) {
        return new BackendException(message, false, cause);
    }

    public boolean isRetryable() {
        return retryable;
    }
}
