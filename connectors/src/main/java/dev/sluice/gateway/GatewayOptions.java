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
 */
public record GatewayOptions(int maxBatchSize, int maxBatchTokens, Duration maxQueueDelay, int initialLimit,
        int minLimit, int maxLimit) implements Serializable {

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

    public static GatewayOptions ofDefaults() {
        return new GatewayOptions(64, 65_536, Duration.ofMillis(5), 32, 4, 1024);
    }
}
