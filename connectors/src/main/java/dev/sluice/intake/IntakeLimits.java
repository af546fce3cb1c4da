package dev.sluice.intake;

/**
 * What the pipeline accepts from producers. Anything beyond is rejected with TOO_LARGE or INVALID_FIELD.
 *
 * @param maxRecordBytes largest record value, default 1 MiB (Kafka's default message limit)
 * @param maxPromptChars most characters of prompt text and messages in one request, default 100,000
 * @param maxBatchPrompts most prompts in one PromptBatch record, default 1,000
 * @param maxTokensCeiling largest max_tokens a request may ask for, default 32,768
 * @param defaultMaxTokens max_tokens of a request that sets none, default 256
 */
public record IntakeLimits(
        int maxRecordBytes, int maxPromptChars, int maxBatchPrompts, int maxTokensCeiling, int defaultMaxTokens)
        implements java.io.Serializable {

    public IntakeLimits {
        if (maxRecordBytes <= 0 || maxPromptChars <= 0 || maxBatchPrompts <= 0 || maxTokensCeiling <= 0) {
            throw new IllegalArgumentException("intake limits must be positive");
        }
        if (defaultMaxTokens <= 0 || defaultMaxTokens > maxTokensCeiling) {
            throw new IllegalArgumentException(
                    "default max tokens must be in 1.." + maxTokensCeiling + ": " + defaultMaxTokens);
        }
    }

    public static IntakeLimits ofDefaults() {
        return new IntakeLimits(1 << 20, 100_000, 1_000, 32_768, 256);
    }
}
