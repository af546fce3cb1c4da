package dev.sluice.intake;

import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import java.util.Objects;

/**
 * Why a record, or one request in it, cannot be served.
 *
 * @param reason the reject reason code
 * @param message what is wrong, for a person
 * @param requestId the request's id when it could be read, else null
 * @param tenant the tenant when it could be read, else null
 * @param request the request when it decoded whole, else null: a bulk run's reject needs its item fields
 */
public record Problem(RejectReason reason, String message, String requestId, String tenant, PromptRequest request) {

    public Problem {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** A problem with a request that could be read only in part. */
    public Problem(RejectReason reason, String message, String requestId, String tenant) {
        this(reason, message, requestId, tenant, null);
    }

    /** A problem with a request that decoded whole. */
    static Problem of(PromptRequest request, RejectReason reason, String message) {
        return new Problem(reason, message, request.getRequestId(), request.getTenant(), request);
    }

    static Problem ofRecord(RejectReason reason, String message) {
        return new Problem(reason, message, null, null);
    }
}
