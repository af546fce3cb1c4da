package dev.sluice.job;

import dev.sluice.intake.Problem;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
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
                .setMessage(message)
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
                .setMessage(message)
                .setRejectedAt(now)
                .build();
    }

    /** The request's identity, with its bulk run item when it has one, so the run can count the reject. */
    private static Reject.Builder ofRequest(PromptRequest request) {
        return Reject.newBuilder()
                .setRequestId(request.getRequestId())
                .setTenant(request.getTenant())
                .setRunId(request.getRunId())
                .setItemIndex(request.getItemIndex())
                .setItemId(request.getItemId())
                .setChunkIndex(request.getChunkIndex())
                .setChunkCount(request.getChunkCount());
    }
}
