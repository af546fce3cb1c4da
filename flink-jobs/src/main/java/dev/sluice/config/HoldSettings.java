package dev.sluice.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How long a request may be held, by priority, while no server can take it (every eligible model's servers down,
 * or their circuits open), before it is rejected: it waits in its gateway's queue, and the async operator's
 * bounded capacity turns the wait into backpressure on Kafka instead of memory. A request's own {@code deadline}
 * shortens its hold. Absent keys keep the defaults.
 *
 * @param interactive for interactive requests; default {@code job.request-timeout}
 * @param batch for batch requests (bulk runs): long enough to ride out a GPU outage of hours; default 6 hours
 */
public record HoldSettings(Duration interactive, Duration batch) implements Serializable {

    static final Duration DEFAULT_BATCH = Duration.ofHours(6);

    public HoldSettings {
        if (interactive != null && (interactive.isNegative() || interactive.isZero())) {
            throw new IllegalArgumentException("gateway.hold.interactive must be positive: " + interactive);
        }
        if (batch != null && (batch.isNegative() || batch.isZero())) {
            throw new IllegalArgumentException("gateway.hold.batch must be positive: " + batch);
        }
    }

    public static HoldSettings ofDefaults() {
        return new HoldSettings(null, null);
    }

    /** The hold of interactive requests, {@code requestTimeout} unless configured. */
    public Duration interactiveOr(Duration requestTimeout) {
        return interactive == null ? requestTimeout : interactive;
    }

    public Duration batchOrDefault() {
        return batch == null ? DEFAULT_BATCH : batch;
    }
}
