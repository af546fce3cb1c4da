package dev.sluice.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link CostModel}. */
class CostModelTest {

    private final CostModel profile = CostModel.llama8bH100();

    @Test
    void stepTimeFollowsTheReferenceFormula() {
        // 4.0 ms + 64 * (0.012 + 0.018 * 1.0) ms = 5.92 ms: the reference's decode table gives 5.9 ms at b=64, 1K.
        assertThat(profile.stepNanos(64, 1000, 0)).isEqualTo(5_920_000);
        // Prefilling 650 prompt tokens at 65,000 tokens/s adds 10 ms.
        assertThat(profile.stepNanos(1, 0, 650) - profile.stepNanos(1, 0, 0)).isEqualTo(10_000_000);
    }

    @Test
    void maximumThroughputGrowsWithBatchAndIsBoundedByTheActiveLimit() {
        double max = profile.maxOutputTokensPerSecond(128, 128);
        // b = 256 at ctx 192 tokens: 256 / (4 + 256 * (0.012 + 0.018 * 0.192)) ms ≈ 32.1k tok/s decoding,
        // less the share of GPU time spent prefilling 128-token prompts.
        assertThat(max).isCloseTo(21_700, within(1_000.0));
        CostModel wider = new CostModel("wide", 4_000_000, 12_000, 18_000, 65_000, 1024, 980_000, 1_000_000);
        assertThat(wider.maxOutputTokensPerSecond(128, 128)).isGreaterThan(max);
    }

    /**
     * Each published row the profile was fitted to ({@link PublishedThroughput#llama8bH100Fp8()}) against the profile's
     * maximum: the error with 256 active sequences, where the engine's default is 2048, and with 2048. A change to the
     * profile that moves any row fails here until the error stated here, and rendered in docs/emulator.md by
     * {@code sluice bench profile}, is brought up to date.
     */
    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
        "128, 128, -24.0, 7.7",
        "128, 2048, -10.7, 3.4",
        "128, 4096, 1.3, 1.3",
        "500, 2000, -3.2, 6.7",
        "1000, 1000, -6.2, 5.0",
        "1000, 2000, 0.9, 5.9",
        "2048, 128, -7.0, -5.0",
        "2048, 2048, 8.1, 8.1",
        "5000, 500, 2.2, 2.2",
        "20000, 2000, 16.6, 16.6"})
    void eachPublishedRowIsMetWithinItsStatedError(int promptTokens, int outputTokens, double statedErrorPercent,
            double errorWithEngineDefaultPercent) {
        PublishedThroughput row = PublishedThroughput.llama8bH100Fp8().stream()
                .filter(published -> published.promptTokens() == promptTokens
                        && published.outputTokens() == outputTokens)
                .findFirst().orElseThrow();

        assertThat(row.errorPercent(profile)).isCloseTo(statedErrorPercent, within(0.05));
        assertThat(row.errorPercent(profile.withMaxActive(2048))).isCloseTo(errorWithEngineDefaultPercent,
                within(0.05));
    }

    @Test
    void theStatedErrorsAboveCoverEveryPublishedRow() {
        assertThat(PublishedThroughput.llama8bH100Fp8()).hasSize(10);
    }

    @Test
    void theSeventyBillionProfileFollowsItsDecodeTable() {
        CostModel seventy = CostModel.named("llama-3.1-70b-4xh100-sglang-fp8");

        // Reference decode table, BF16 KV at 1K context: b=64 takes 12.7 ms, b=128 16.4 ms.
        assertThat(seventy.stepNanos(64, 1000, 0) / 1e6).isCloseTo(12.7, within(0.1));
        assertThat(seventy.stepNanos(128, 1000, 0) / 1e6).isCloseTo(16.4, within(0.1));
        assertThat(CostModel.named(profile.name())).isEqualTo(profile);
    }
}
