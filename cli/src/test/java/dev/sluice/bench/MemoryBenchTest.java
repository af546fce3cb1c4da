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
        List<Sample> growing = List.of(new Sample(0, 100), new Sample(100_000, 110), new Sample(200_000, 120));
        List<Sample> flat = List.of(new Sample(0, 100), new Sample(100_000, 101), new Sample(200_000, 100));

        assertThat(MemoryBench.slopeMbPer100k(growing)).isCloseTo(10.0, within(1e-9));
        assertThat(MemoryBench.slopeMbPer100k(flat)).isCloseTo(0.0, within(1e-9));
        assertThat(MemoryBench.slopeMbPer100k(List.of())).isZero();
    }
}
