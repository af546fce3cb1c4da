package dev.sluice.emulator.triton;

import dev.sluice.emulator.InflightBatchingEngine.Generation;
import dev.sluice.proto.triton.InferStatistics;
import dev.sluice.proto.triton.ModelStatistics;
import dev.sluice.proto.triton.StatisticDuration;
import java.util.List;

/** Triton's cumulative per-model statistics, as {@code ModelStatistics} reports them. */
final class ModelCounters {

    private long inferenceCount;
    private long executionCount;
    private long successCount;
    private long successNanos;
    private long failCount;
    private long failNanos;
    private long queueNanos;
    private long computeNanos;
    private long lastInferenceMillis;

    synchronized void succeeded(List<Generation> batch, long nanos) {
        inferenceCount += batch.size();
        executionCount++;
        successCount++;
        successNanos += nanos;
        for (Generation generation : batch) {
            queueNanos += generation.queuedNanos();
            computeNanos += generation.totalNanos() - generation.queuedNanos();
        }
        lastInferenceMillis = System.currentTimeMillis();
    }

    synchronized void failed(long nanos) {
        failCount++;
        failNanos += nanos;
    }

    synchronized ModelStatistics toProto(String name) {
        return ModelStatistics.newBuilder()
                .setName(name)
                .setVersion("1")
                .setLastInference(lastInferenceMillis)
                .setInferenceCount(inferenceCount)
                .setExecutionCount(executionCount)
                .setInferenceStats(InferStatistics.newBuilder()
                        .setSuccess(duration(successCount, successNanos))
                        .setFail(duration(failCount, failNanos))
                        .setQueue(duration(inferenceCount, queueNanos))
                        .setComputeInfer(duration(inferenceCount, computeNanos)))
                .build();
    }

    private static StatisticDuration duration(long count, long nanos) {
        return StatisticDuration.newBuilder().setCount(count).setNs(nanos).build();
    }
}
