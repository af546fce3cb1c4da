package dev.sluice.config;

import dev.sluice.intake.IntakeLimits;
import java.io.Serializable;

/** Intake limits as configured; zero or absent keeps the default of {@link IntakeLimits#ofDefaults()}. */
public record LimitSettings(
        int maxRecordBytes, int maxPromptChars, int maxBatchPrompts, int maxTokensCeiling, int defaultMaxTokens)
        implements Serializable {

    public static LimitSettings ofDefaults() {
        return new LimitSettings(0, 0, 0, 0, 0);
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
