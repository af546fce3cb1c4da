package dev.sluice.job;

import dev.sluice.intake.Problem;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import java.nio.ByteBuffer;

/** Builds Reject records, the one shape every failure takes on its way out. */
final class Rejects {

    private Rejects() {}

    /** A record, or one request in it, that failed decoding or validation. */
    static Reject fromSource(Problem problem, SourceRecord source, long now) {
        return Reject.newBuilder()
                .setRequestId(problem.requestId())
                .setTenant(problem.tenant())
                .setReason(problem.reason())
                .setMessage(problem.message())
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setOriginal(source.value() == null ? null : ByteBuffer.wrap(source.value()))
                .setRejectedAt(now)
                .build();
    }

    /** A valid request that could not be served. */
    static Reject forRequest(PromptRequest request, RejectReason reason, String message, long now) {
        return Reject.newBuilder()
                .setRequestId(request.getRequestId())
                .setTenant(request.getTenant())
                .setReason(reason)
                .setMessage(message)
                .setRejectedAt(now)
                .build();
    }
}
