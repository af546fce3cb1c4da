package dev.sluice.emulator.triton;

import dev.sluice.emulator.InflightBatchingEngine.Generation;
import dev.sluice.proto.triton.InferStatistics;
import dev.sluice.proto.triton.ModelStatistics;
import dev.sluice.proto.triton.StatisticDuration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Triton's cumulative per-model statistics, as {@code ModelStatistics} reports them and its metrics port exports
 * them. Durations are the emulated GPU's model time, per request: a request whose batch holds several prompts waited
 * until the last of them was admitted and ran until the last finished.
 */
final class ModelCounters {

    /**
     * Why a request failed: the {@code reason} label of {@code nv_inference_request_failure} (Triton
     * {@code docs/user_guide/metrics.md}; the project's {@code triton-protocol.md} section 6).
     */
    enum FailureReason {
        /** Refused by the scheduler: its queue was full or its timeout passed. */
        REJECTED,
        /** Cancelled by its client. */
        CANCELED,
        /** Failed in the backend while it ran. */
        BACKEND,
        /** Anything else, such as a request refused before it ran. */
        OTHER
    }

    private long inferenceCount;
    private long executionCount;
    private long successCount;
    private long successNanos;
    private final Map<FailureReason, Long> failures = new EnumMap<>(FailureReason.class);
    private long failNanos;
    private long queueNanos;
    private long computeNanos;
    private long lastInferenceMillis;

    synchronized void succeeded(List<Generation> batch) {
        long queued = batch.stream().mapToLong(Generation::queuedNanos).max().orElse(0);
        long total = batch.stream().mapToLong(Generation::totalNanos).max().orElse(0);
        inferenceCount += batch.size();
        executionCount++;
        successCount++;
        successNanos += total;
        queueNanos += queued;
        computeNanos += total - queued;
        lastInferenceMillis = System.currentTimeMillis();
    }

    synchronized void failed(FailureReason reason, long nanos) {
        failures.merge(reason, 1L, Long::sum);
        failNanos += nanos;
    }

    /**
     * The totals at one moment.
     *
     * @param successes requests answered
     * @param failures requests failed, by reason, every reason present
     * @param inferences prompts answered: a request with a batch of n counts n
     * @param executions model executions, one per request here
     * @param requestNanos successful requests from arrival to answer, summed
     * @param queueNanos their time queued, summed
     * @param computeNanos their time running, summed
     */
    record Totals(long successes, Map<FailureReason, Long> failures, long inferences, long executions,
            long requestNanos, long queueNanos, long computeNanos) {}

    synchronized Totals totals() {
        Map<FailureReason, Long> byReason = new EnumMap<>(FailureReason.class);
        for (FailureReason reason : FailureReason.values()) {
            byReason.put(reason, failures.getOrDefault(reason, 0L));
        }
        return new Totals(successCount, byReason, inferenceCount, executionCount, successNanos, queueNanos,
                computeNanos);
    }

    synchronized ModelStatistics toProto(String name) {
        long failCount = failures.values().stream().mapToLong(Long::longValue).sum();
        return ModelStatistics.newBuilder()
                .setName(name)
                .setVersion(TritonEmulatorService.MODEL_VERSION)
                .setLastInference(lastInferenceMillis)
                .setInferenceCount(inferenceCount)
                .setExecutionCount(executionCount)
                .setInferenceStats(InferStatistics.newBuilder()
                        .setSuccess(duration(successCount, successNanos))
                        .setFail(duration(failCount, failNanos))
                        .setQueue(duration(successCount, queueNanos))
                        .setComputeInfer(duration(successCount, computeNanos)))
                .build();
    }

    private static StatisticDuration duration(long count, long nanos) {
        return StatisticDuration.newBuilder().setCount(count).setNs(nanos).build();
    }
}
