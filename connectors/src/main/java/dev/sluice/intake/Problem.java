package dev.sluice.intake;

import dev.sluice.schema.RejectReason;
import java.util.Objects;

/**
 * Why a record, or one request in it, cannot be served.
 *
 * @param reason the reject reason code
 * @param message what is wrong, for a person
 * @param requestId the request's id when it could be read, else null
 * @param tenant the tenant when it could be read, else null
 */
public record Problem(RejectReason reason, String message, String requestId, String tenant) {

    public Problem {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    static Problem ofRecord(RejectReason reason, String message) {
        return new Problem(reason, message, null, null);
    }
}
