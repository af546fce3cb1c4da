package dev.sluice.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How the Flink jobs run and checkpoint.
 *
 * @param parallelism subtasks per operator, default 2
 * @param checkpointInterval how often state is snapshotted and output transactions commit, default 2 s
 * @param maxInFlight requests each subtask may have at the servers at once, default 64
 * @param requestTimeout longest a request may wait for its completion before it is rejected, default 60 s
 * @param instanceId names this deployment in the transactional ids of its Kafka sinks: unique among the deployments
 *     that share a Kafka cluster and topic prefix, and unchanged across restarts and upgrades, since a restarted job
 *     finds (and aborts) its predecessor's unfinished transactions by their ids. No default: no name both differs
 *     between deployments and survives a restart, so the jobs refuse to build without one; 1 to 64 letters, digits,
 *     {@code -} or {@code _}
 * @param checkpointTimeout a checkpoint not complete by then is abandoned (and the job restarted), default 2 minutes
 * @param unalignedCheckpoints whether a checkpoint whose barriers wait longer than
 *     {@code alignedCheckpointTimeout} to align goes unaligned (in-flight records stored with it), default true:
 *     under backpressure, output then still commits on time
 * @param alignedCheckpointTimeout how long barriers may take to align before the checkpoint goes unaligned; short
 *     of backpressure they align within milliseconds, so checkpoints stay aligned; default 5 s
 * @param maxDowntime the longest the jobs are expected to be down (failure to recovery) without losing output:
 *     transactions left open by a failure must outlive it (see {@link TransactionTimeouts}), default 5 minutes
 */
public record JobSettings(int parallelism, Duration checkpointInterval, int maxInFlight, Duration requestTimeout,
        String instanceId, Duration checkpointTimeout, Boolean unalignedCheckpoints,
        Duration alignedCheckpointTimeout, Duration maxDowntime) implements Serializable {

    /** Part of a transactional id, before the sink's name and a dot; no dot, so no two deployments' ids meet. */
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public JobSettings {
        parallelism = parallelism == 0 ? 2 : parallelism;
        checkpointInterval = checkpointInterval == null ? Duration.ofSeconds(2) : checkpointInterval;
        maxInFlight = maxInFlight == 0 ? 64 : maxInFlight;
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(60) : requestTimeout;
        checkpointTimeout = checkpointTimeout == null ? Duration.ofMinutes(2) : checkpointTimeout;
        unalignedCheckpoints = unalignedCheckpoints == null || unalignedCheckpoints;
        alignedCheckpointTimeout = alignedCheckpointTimeout == null ? Duration.ofSeconds(5) : alignedCheckpointTimeout;
        maxDowntime = maxDowntime == null ? Duration.ofMinutes(5) : maxDowntime;
        if (parallelism < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("job.parallelism and job.max-in-flight must be positive");
        }
        if (instanceId != null && !INSTANCE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("job.instance-id must be 1 to 64 letters, digits, '-' or '_': '"
                    + instanceId + "'");
        }
        if (checkpointInterval.toMillis() < 1 || checkpointTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("job.checkpoint-interval and job.checkpoint-timeout must be positive");
        }
        if (alignedCheckpointTimeout.isNegative() || maxDowntime.isNegative()) {
            throw new IllegalArgumentException("job.aligned-checkpoint-timeout and job.max-downtime must not be "
                    + "negative");
        }
        if (unalignedCheckpoints && alignedCheckpointTimeout.compareTo(checkpointTimeout) >= 0) {
            throw new IllegalArgumentException("job.aligned-checkpoint-timeout (" + alignedCheckpointTimeout
                    + ") must be shorter than job.checkpoint-timeout (" + checkpointTimeout
                    + "), or a checkpoint is abandoned before it can go unaligned");
        }
    }

    /** Checkpointing and downtime as their defaults; {@code instanceId} names the deployment. */
    public JobSettings(int parallelism, Duration checkpointInterval, int maxInFlight, Duration requestTimeout,
            String instanceId) {
        this(parallelism, checkpointInterval, maxInFlight, requestTimeout, instanceId, null, null, null, null);
    }

    public static JobSettings ofDefaults() {
        return new JobSettings(0, null, 0, null, null);
    }

    /** The same settings with {@code subtasks} per operator. */
    public JobSettings withParallelism(int subtasks) {
        return new JobSettings(subtasks, checkpointInterval, maxInFlight, requestTimeout, instanceId,
                checkpointTimeout, unalignedCheckpoints, alignedCheckpointTimeout, maxDowntime);
    }
}
