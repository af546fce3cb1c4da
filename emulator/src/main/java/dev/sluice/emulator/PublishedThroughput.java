package dev.sluice.emulator;

import java.util.List;

/**
 * One row of a published throughput table a cost profile was fitted to: the most output tokens per second a real
 * engine reached for prompts and answers of the given lengths, every request sent at once.
 *
 * @param promptTokens input sequence length
 * @param outputTokens output sequence length
 * @param outputTokensPerSecond the published figure
 */
public record PublishedThroughput(int promptTokens, int outputTokens, int outputTokensPerSecond) {

    /**
     * TensorRT-LLM's Llama-3.1-8B FP8 table on one H100 (TP1), measured with {@code trtllm-bench}
     * ({@code NVIDIA/TensorRT-LLM} {@code docs/source/performance/perf-overview.md}, v1.0 revision): what
     * {@link CostModel#llama8bH100()} was fitted to.
     */
    public static List<PublishedThroughput> llama8bH100Fp8() {
        return List.of(
                new PublishedThroughput(128, 128, 28_312),
                new PublishedThroughput(128, 2048, 22_714),
                new PublishedThroughput(128, 4096, 14_325),
                new PublishedThroughput(500, 2000, 17_660),
                new PublishedThroughput(1000, 1000, 15_220),
                new PublishedThroughput(1000, 2000, 13_899),
                new PublishedThroughput(2048, 128, 3_450),
                new PublishedThroughput(2048, 2048, 9_305),
                new PublishedThroughput(5000, 500, 3_459),
                new PublishedThroughput(20000, 2000, 1_351));
    }

    /** The profile's maximum for this row's workload against the published figure, in per cent. */
    public double errorPercent(CostModel profile) {
        return 100 * (profile.maxOutputTokensPerSecond(promptTokens, outputTokens) / outputTokensPerSecond - 1);
    }
}
