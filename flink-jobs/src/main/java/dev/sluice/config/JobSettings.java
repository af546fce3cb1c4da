package dev.sluice.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the Flink job runs.
 *
 * @param parallelism subtasks per operator, default 2
 * @param checkpointInterval how often state is snapshotted and output transactions commit, default 2 s
 * @param maxInFlight requests each subtask may have at the servers at once, default 64
 * @param requestTimeout longest a request may wait for its completion before it is rejected, default 60 s
 */
public record JobSettings(int parallelism, Duration checkpointInterval, int maxInFlight, Duration requestTimeout)
        implements Serializable {

    public JobSettings {
        parallelism = parallelism == 0 ? 2 : parallelism;
        checkpointInterval = checkpointInterval == null ? Duration.ofSeconds(2) : checkpointInterval;
        maxInFlight = maxInFlight == 0 ? 64 : maxInFlight;
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(60) : requestTimeout;
        if (parallelism < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("job.parallelism and job.max-in-flight must be positive");
        }
    }

    public static JobSettings ofDefaults() {
        return new JobSettings(0, null, 0, null);
    }
}
