package dev.sluice.config;

import dev.sluice.intake.IntakeLimits;
import java.io.Serializable;
import java.time.Duration;

/**
 * Intake limits as configured; zero or absent keeps the default of {@link IntakeLimits#ofDefaults()}.
 *
 * @param dedupeWindow how long a tenant's request id is remembered, so a second request with it is rejected as a
 *     duplicate; default 10 minutes
 */
public record LimitSettings(
        int maxRecordBytes, int maxPromptChars, int maxBatchPrompts, int maxTokensCeiling, int defaultMaxTokens,
        Duration dedupeWindow) implements Serializable {

    public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofMinutes(10);

    public LimitSettings {
        dedupeWindow = dedupeWindow == null || dedupeWindow.isZero() ? DEFAULT_DEDUPE_WINDOW : dedupeWindow;
        if (dedupeWindow.isNegative()) {
            throw new IllegalArgumentException("limits.dedupe-window must not be negative: " + dedupeWindow);
        }
    }

    public static LimitSettings ofDefaults() {
        return new LimitSettings(0, 0, 0, 0, 0, null);
    }

    public IntakeLimits toIntakeLimits() {
        IntakeLimits d = IntakeLimits.ofDefaults();
        return new IntakeLimits(
                maxRecordBytes == 0 ? d.maxRecordBytes() : maxRecordBytes,
                maxPromptChars == 0 ? d.maxPromptChars() : maxPromptChars,
                maxBatchPrompts == 0 ? d.maxBatchPrompts() : maxBatchPrompts,
                maxTokensCeiling == 0 ? d.maxTokensCeiling() : maxTokensCeiling,
                defaultMaxTokens == 0 ? d.defaultMaxTokens() : defaultMaxTokens);
    }
}
