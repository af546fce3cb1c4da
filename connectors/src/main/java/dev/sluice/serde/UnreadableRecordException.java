package dev.sluice.serde;

/**
 * A record value that is not one of the expected type in either wire format, or is larger than the reader allows.
 * The message says why, for a log line or a dead letter; it may quote a little of the record. No stack trace: the
 * record is at fault, not the code.
 */
public final class UnreadableRecordException extends RuntimeException {

    UnreadableRecordException(String message) {
        super(message, null, false, false);
    }
}
