package dev.sluice.gateway;

/** A request whose deadline passed while it waited for a batch; it was never sent. */
public final class DeadlineExceededException extends RuntimeException {

    public DeadlineExceededException(String message) {
        super(message, null, false, false);
    }
}
