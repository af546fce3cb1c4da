package dev.sluice.intake;

import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.serde.Truncation;
import java.util.Objects;

/**
 * Why a record, or one request in it, cannot be served. Its message and id are cut to their {@link FieldCaps} with
 * a marker, and a tenant over its cap is left out: they come from the producer, and a request rejected for an
 * oversized field must not carry that field on into its reject.
 *
 * @param reason the reject reason code
 * @param message what is wrong, for a person
 * @param requestId the request's id when it could be read, else null
 * @param tenant the tenant when it could be read and is within its cap, else null
 * @param request the request when it decoded whole, else null: a bulk run's reject needs its item fields; it is
 *     kept as received, so whoever copies its fields out bounds them
 */
public record Problem(RejectReason reason, String message, String requestId, String tenant, PromptRequest request) {

    public Problem {
        Objects.requireNonNull(reason, "reason");
        message = Truncation.text(Objects.requireNonNull(message, "message"), FieldCaps.MESSAGE_CHARS);
        requestId = Truncation.text(requestId, FieldCaps.ID_CHARS);
        tenant = FieldCaps.whole(tenant, FieldCaps.TENANT_CHARS);
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
