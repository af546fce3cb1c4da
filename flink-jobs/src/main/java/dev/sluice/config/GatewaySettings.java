package dev.sluice.config;

import dev.sluice.gateway.GatewayOptions;
import java.io.Serializable;
import java.time.Duration;

/** The gateway options as configured; zero or absent keeps the default of {@link GatewayOptions#ofDefaults()}. */
public record GatewaySettings(int maxBatchSize, int maxBatchTokens, Duration maxQueueDelay, int initialLimit,
        int minLimit, int maxLimit, Boolean prefixGrouping, ResilienceSettings resilience, HoldSettings hold)
        implements Serializable {

    public GatewaySettings {
        hold = hold == null ? HoldSettings.ofDefaults() : hold;
    }

    /** Without a {@code hold} section: its defaults. */
    public GatewaySettings(int maxBatchSize, int maxBatchTokens, Duration maxQueueDelay, int initialLimit,
            int minLimit, int maxLimit, Boolean prefixGrouping, ResilienceSettings resilience) {
        this(maxBatchSize, maxBatchTokens, maxQueueDelay, initialLimit, minLimit, maxLimit, prefixGrouping,
                resilience, null);
    }

    public static GatewaySettings ofDefaults() {
        return new GatewaySettings(0, 0, null, 0, 0, 0, null, null, null);
    }

    public GatewayOptions toOptions() {
        GatewayOptions d = GatewayOptions.ofDefaults();
        return new GatewayOptions(
                maxBatchSize == 0 ? d.maxBatchSize() : maxBatchSize,
                maxBatchTokens == 0 ? d.maxBatchTokens() : maxBatchTokens,
                maxQueueDelay == null ? d.maxQueueDelay() : maxQueueDelay,
                initialLimit == 0 ? d.initialLimit() : initialLimit,
                minLimit == 0 ? d.minLimit() : minLimit,
                maxLimit == 0 ? d.maxLimit() : maxLimit,
                prefixGrouping == null ? d.prefixGrouping() : prefixGrouping,
                (resilience == null ? ResilienceSettings.ofDefaults() : resilience).toOptions());
    }
}
