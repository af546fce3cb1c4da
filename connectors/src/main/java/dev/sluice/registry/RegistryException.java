package dev.sluice.registry;

import java.util.OptionalInt;

/**
 * A schema registry call that failed: the registry answered an error, could not be reached in time, or answered
 * something this client does not accept. The message is one line: what was asked, the HTTP status and the
 * registry's {@code error_code} and {@code message} when it sent them (cut to a few hundred characters).
 *
 * <p>Stack traces are off: the message says what failed, and a flood of undecodable records would otherwise make
 * one trace each.
 */
public final class RegistryException extends RuntimeException {

    /** Rate limited: like a 5xx, the same request may pass later. */
    private static final int TOO_MANY_REQUESTS = 429;

    private final int httpStatus;
    private final int errorCode;
    private final boolean retryable;

    private RegistryException(String message, int httpStatus, int errorCode, boolean retryable, Throwable cause) {
        super(message, cause, false, false);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.retryable = retryable;
    }

    /** The registry answered {@code httpStatus}; {@code errorCode} is its {@code error_code}, or -1. */
    /** Confluent's error codes for "no such subject" and "no such schema", which Apicurio's API gives too. */
    private static final int SUBJECT_NOT_FOUND = 40401;
    private static final int SCHEMA_NOT_FOUND = 40403;

    static RegistryException status(String message, int httpStatus, int errorCode) {
        boolean retryable = httpStatus >= 500 || httpStatus == TOO_MANY_REQUESTS;
        return new RegistryException(message, httpStatus, errorCode, retryable, null);
    }

    /** No answer: refused, reset or timed out. Worth trying again later. */
    static RegistryException unreachable(String message, Throwable cause) {
        return new RegistryException(message, -1, -1, true, cause);
    }

    /** An answer this client will not use, or a request it will not send; the same call would fail again. */
    static RegistryException invalid(String message, int httpStatus, Throwable cause) {
        return new RegistryException(message, httpStatus, -1, false, cause);
    }

    /** The HTTP status of the registry's answer; empty when there was none. */
    public OptionalInt httpStatus() {
        return httpStatus < 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /**
     * The registry's {@code error_code}, e.g. Confluent's 40401 (subject not found), 40403 (schema not found),
     * 409 (incompatible), 42201 (invalid schema); empty when it sent none.
     */
    public OptionalInt errorCode() {
        return errorCode < 0 ? OptionalInt.empty() : OptionalInt.of(errorCode);
    }

    /** Whether the same call may pass later: the registry was unreachable, too slow, overloaded or failing (5xx). */
    public boolean isRetryable() {
        return retryable;
    }

    /**
     * Whether the registry itself said it has no such subject or schema: HTTP 404 with the API's own error code. A
     * 404 without one came from something else on the way (a proxy, a wrong path prefix).
     */
    public boolean isNotFound() {
        return httpStatus == 404 && (errorCode == SUBJECT_NOT_FOUND || errorCode == SCHEMA_NOT_FOUND);
    }
}
