package dev.sluice.gateway;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a gateway rides out failing servers: retries of retryable failures with exponential backoff and jitter, and a
 * circuit breaker per replica that stops sending to a server failing most of its calls.
 *
 * @param maxAttempts tries per request for retryable failures, the first one included; 1 turns retries off;
 *     default 4
 * @param initialBackoff wait before the first retry, doubled per retry and spread by ±50 % jitter; default 100 ms.
 *     Replicas that are not ready are checked again after the same backoff.
 * @param maxBackoff longest wait before a retry, or before checking a replica again; default 2 s
 * @param failureRatePercent share of failed calls among a replica's last {@code breakerWindow} that opens its
 *     circuit; default 50
 * @param breakerWindow calls the failure rate is taken over, and the fewest before a circuit may open; default 10
 * @param openFor how long an open circuit sends nothing before one probe call tests the server; default 5 s
 */
public record ResilienceOptions(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
        int failureRatePercent, int breakerWindow, Duration openFor) implements Serializable {

    public ResilienceOptions {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 < initial backoff <= max backoff, got " + initialBackoff
                    + " and " + maxBackoff);
        }
        if (failureRatePercent < 1 || failureRatePercent > 100 || breakerWindow < 1) {
            throw new IllegalArgumentException("the failure rate must be 1..100 % over a window of at least one"
                    + " call, got " + failureRatePercent + " % over " + breakerWindow);
        }
        if (openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("open-for must be positive, got " + openFor);
        }
    }

    public static ResilienceOptions ofDefaults() {
        return new ResilienceOptions(4, Duration.ofMillis(100), Duration.ofSeconds(2), 50, 10, Duration.ofSeconds(5));
    }
}
