package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.bench.MemoryBench.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for the slope {@link MemoryBench} reports. */
class MemoryBenchTest {

    @Test
    void theSlopeIsMegabytesPerHundredThousandPrompts() {
        List<Sample> growing = List.of(new Sample(0, 0, 100), new Sample(100_000, 10, 110),
                new Sample(200_000, 20, 120));
        List<Sample> flat = List.of(new Sample(0, 0, 100), new Sample(100_000, 10, 101), new Sample(200_000, 20, 100));

        assertThat(MemoryBench.slopeMbPer100k(growing)).isCloseTo(10.0, within(1e-9));
        assertThat(MemoryBench.slopeMbPer100k(flat)).isCloseTo(0.0, within(1e-9));
        assertThat(MemoryBench.slopeMbPer100k(List.of())).isZero();
    }

    @Test
    void theSlopesStandardErrorGrowsWithTheScatterOfTheReadings() {
        List<Sample> onTheLine = List.of(new Sample(0, 0, 100), new Sample(100_000, 10, 110),
                new Sample(200_000, 20, 120));
        // Residuals +1, -2, +1 about the fitted line of slope 0: sqrt(6 / 1 / 2e10) per prompt.
        List<Sample> scattered = List.of(new Sample(0, 0, 101), new Sample(100_000, 10, 98),
                new Sample(200_000, 20, 101));

        assertThat(MemoryBench.slopeStandardErrorMbPer100k(onTheLine)).isCloseTo(0.0, within(1e-9));
        assertThat(MemoryBench.slopeStandardErrorMbPer100k(scattered))
                .isCloseTo(Math.sqrt(6 / 2e10) * 100_000, within(1e-9));
    }

    @Test
    void theSlopeIsTakenOnceDuplicateDetectionsStateHasFilled() {
        long warmUp = MemoryBench.WARM_UP.toSeconds();
        // The state fills for the warm-up, then the heap holds.
        List<Sample> samples = List.of(new Sample(0, 0, 80), new Sample(100_000, warmUp / 2.0, 120),
                new Sample(200_000, warmUp, 150), new Sample(300_000, warmUp + 10, 151),
                new Sample(400_000, warmUp + 20, 150));

        assertThat(MemoryBench.steady(samples)).extracting(Sample::completed)
                .containsExactly(200_000L, 300_000L, 400_000L);
        assertThat(MemoryBench.slopeMbPer100k(MemoryBench.steady(samples))).isCloseTo(0.0, within(1e-9));
    }
}
