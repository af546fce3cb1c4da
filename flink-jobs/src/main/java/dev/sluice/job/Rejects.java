package dev.sluice.job;

import dev.sluice.intake.FieldCaps;
import dev.sluice.intake.Problem;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.serde.Truncation;
import java.nio.ByteBuffer;

/** Builds Reject records, the one shape every failure takes on its way out. */
final class Rejects {

    private Rejects() {}

    /**
     * Most bytes of the original record a reject carries: with the reject's own fields it stays well under the
     * producer's 1 MiB request limit, so a large bad record cannot fail the sink and replay forever.
     */
    static final int MAX_ORIGINAL_BYTES = 64 * 1024;

    /**
     * Most characters of a reject's message, cut with a marker beyond: messages quote producers and inference
     * servers (a server's error description, the models a request failed over), neither of which Sluice controls.
     */
    static final int MAX_MESSAGE_CHARS = 4_096;

    /**
     * A record, or one request in it, that failed decoding or validation. Only the first reject of a record
     * carries its bytes ({@code withOriginal}); the others point at it by topic, partition and offset.
     */
    static Reject fromSource(Problem problem, SourceRecord source, boolean withOriginal, long now) {
        byte[] value = source.value();
        String message = problem.message();
        ByteBuffer original = null;
        if (withOriginal && value != null) {
            original = ByteBuffer.wrap(value, 0, Math.min(value.length, MAX_ORIGINAL_BYTES));
            if (value.length > MAX_ORIGINAL_BYTES) {
                message += " (original truncated to its first " + MAX_ORIGINAL_BYTES + " of " + value.length
                        + " bytes)";
            }
        }
        Reject.Builder reject = problem.request() != null ? ofRequest(problem.request())
                : Reject.newBuilder().setRequestId(problem.requestId()).setTenant(problem.tenant());
        return reject
                .setReason(problem.reason())
                .setMessage(Truncation.text(message, MAX_MESSAGE_CHARS))
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setOriginal(original == null ? null : original.slice())
                .setRejectedAt(now)
                .build();
    }

    /** A valid request that could not be served. */
    static Reject forRequest(PromptRequest request, RejectReason reason, String message, long now) {
        return ofRequest(request)
                .setReason(reason)
                .setMessage(Truncation.text(message, MAX_MESSAGE_CHARS))
                .setRejectedAt(now)
                .build();
    }

    /**
     * The request's identity, with its bulk run item when it has one, so the run can count the reject. A request
     * may be rejected because a field is over its {@link FieldCaps cap}: ids are then cut with a marker, and a tenant
     * or run id, which name things only whole, left out.
     */
    private static Reject.Builder ofRequest(PromptRequest request) {
        return Reject.newBuilder()
                .setRequestId(Truncation.text(request.getRequestId(), FieldCaps.ID_CHARS))
                .setTenant(FieldCaps.whole(request.getTenant(), FieldCaps.TENANT_CHARS))
                .setRunId(FieldCaps.whole(request.getRunId(), FieldCaps.ID_CHARS))
                .setItemIndex(request.getItemIndex())
                .setItemId(Truncation.text(request.getItemId(), FieldCaps.ID_CHARS))
                .setChunkIndex(request.getChunkIndex())
                .setChunkCount(request.getChunkCount());
    }
}
