package dev.sluice.config;

import dev.sluice.gateway.ResilienceOptions;
import java.io.Serializable;
import java.time.Duration;

/**
 * The gateway's retries and circuit breakers as configured; zero or absent keeps the default of
 * {@link ResilienceOptions#ofDefaults()}.
 */
public record ResilienceSettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
        int failureRatePercent, int breakerWindow, Duration openFor) implements Serializable {

    public static ResilienceSettings ofDefaults() {
        return new ResilienceSettings(0, null, null, 0, 0, null);
    }

    public ResilienceOptions toOptions() {
        ResilienceOptions d = ResilienceOptions.ofDefaults();
        return new ResilienceOptions(
                maxAttempts == 0 ? d.maxAttempts() : maxAttempts,
                initialBackoff == null ? d.initialBackoff() : initialBackoff,
                maxBackoff == null ? d.maxBackoff() : maxBackoff,
                failureRatePercent == 0 ? d.failureRatePercent() : failureRatePercent,
                breakerWindow == 0 ? d.breakerWindow() : breakerWindow,
                openFor == null ? d.openFor() : openFor);
    }
}
