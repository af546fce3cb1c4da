package dev.sluice.job;

import dev.sluice.config.JobSettings;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The checkpointing every Sluice job runs with, from {@code job.*}: exactly-once, since output commits on each
 * checkpoint. Set on the environment, so it wins over a cluster's {@code execution.checkpointing.*} defaults: the
 * transaction timeout was checked against these values, not the cluster's.
 */
final class Checkpointing {

    private Checkpointing() {}

    static void configure(StreamExecutionEnvironment env, JobSettings job) {
        env.enableCheckpointing(job.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setCheckpointTimeout(job.checkpointTimeout().toMillis());
        // execution.checkpointing.unaligned.enabled with execution.checkpointing.aligned-checkpoint-timeout: a
        // checkpoint starts aligned and goes unaligned only when its barriers are held up, i.e. under backpressure.
        checkpoints.enableUnalignedCheckpoints(job.unalignedCheckpoints());
        checkpoints.setAlignedCheckpointTimeout(job.alignedCheckpointTimeout());
    }
}
