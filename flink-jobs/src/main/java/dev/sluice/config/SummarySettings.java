package dev.sluice.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the {@code metrics-summary} job aggregates the metrics topic, in event time ({@code event_time}).
 *
 * @param window length of the tumbling windows, default one minute
 * @param allowedLateness how far behind the newest event time a metric may arrive and still count in its window
 *     (the watermark's bound on out-of-orderness), default 5 s; later ones are reported as {@code late_records}
 * @param idleTimeout a metrics partition silent this long stops holding windows open, default 30 s
 * @param parallelism the job's subtasks, independent of {@code job.parallelism}, default 1
 */
public record SummarySettings(Duration window, Duration allowedLateness, Duration idleTimeout, int parallelism)
        implements Serializable {

    public SummarySettings {
        window = window == null ? Duration.ofMinutes(1) : window;
        allowedLateness = allowedLateness == null ? Duration.ofSeconds(5) : allowedLateness;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
        parallelism = parallelism == 0 ? 1 : parallelism;
        if (window.toMillis() < 1 || allowedLateness.isNegative() || idleTimeout.toMillis() < 1 || parallelism < 1) {
            throw new IllegalArgumentException("summary.window, idle-timeout and parallelism must be positive, "
                    + "allowed-lateness not negative");
        }
    }

    public static SummarySettings ofDefaults() {
        return new SummarySettings(null, null, null, 0);
    }
}
