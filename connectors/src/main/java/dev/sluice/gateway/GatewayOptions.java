package dev.sluice.gateway;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a gateway batches and how far its concurrency may move.
 *
 * @param maxBatchSize most requests per server call; default 64
 * @param maxBatchTokens most prompt plus generation tokens per server call; default 65,536
 * @param maxQueueDelay longest a request waits for its batch to fill; default 5 ms
 * @param initialLimit requests in flight at the start; default 32
 * @param minLimit fewest requests in flight the limit may fall to; default 4
 * @param maxLimit most requests in flight the limit may rise to; default 1024
 * @param prefixGrouping order each batch by prefix and send it to the replica its prefix hashes to (within a load
 *     bound), rather than in arrival order to the least loaded replica; default true
 * @param resilience retries and circuit breaking; default {@link ResilienceOptions#ofDefaults()}
 */
public record GatewayOptions(int maxBatchSize, int maxBatchTokens, Duration maxQueueDelay, int initialLimit,
        int minLimit, int maxLimit, boolean prefixGrouping, ResilienceOptions resilience) implements Serializable {

    /** Batching options with the default resilience. */
    public GatewayOptions(int maxBatchSize, int maxBatchTokens, Duration maxQueueDelay, int initialLimit,
            int minLimit, int maxLimit, boolean prefixGrouping) {
        this(maxBatchSize, maxBatchTokens, maxQueueDelay, initialLimit, minLimit, maxLimit, prefixGrouping,
                ResilienceOptions.ofDefaults());
    }

    public GatewayOptions {
        if (maxBatchSize < 1 || maxBatchTokens < 1) {
            throw new IllegalArgumentException("batch size and token budget must be positive");
        }
        if (minLimit < 1 || initialLimit < minLimit || maxLimit < initialLimit) {
            throw new IllegalArgumentException("need 1 <= min-limit <= initial-limit <= max-limit, got "
                    + minLimit + ", " + initialLimit + ", " + maxLimit);
        }
        if (maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("max queue delay must not be negative");
        }
    }

    /** The same options with prefix grouping on or off. */
    public GatewayOptions withPrefixGrouping(boolean value) {
        return new GatewayOptions(maxBatchSize, maxBatchTokens, maxQueueDelay, initialLimit, minLimit, maxLimit, value,
                resilience);
    }

    /** The same options with other resilience settings. */
    public GatewayOptions withResilience(ResilienceOptions value) {
        return new GatewayOptions(maxBatchSize, maxBatchTokens, maxQueueDelay, initialLimit, minLimit, maxLimit,
                prefixGrouping, value);
    }

    public static GatewayOptions ofDefaults() {
        return new GatewayOptions(64, 65_536, Duration.ofMillis(5), 32, 4, 1024, true);
    }
}
