package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Tests for {@link OverheadBench#steadyRate}. */
class OverheadBenchTest {

    private static final long MS = 1_000_000L;

    @Test
    void leavesOutTheStartAndCountsTheRestOverItsOwnTime() {
        List<Long> seenAt = new ArrayList<>();
        // A slow start: 1,000 completions over the first 4 seconds, then 100 every 10 ms (10,000 a second).
        for (int i = 0; i < 1_000; i++) {
            seenAt.add(i * 4 * MS);
        }
        for (int i = 0; i < 40; i++) {
            seenAt.addAll(Collections.nCopies(100, 4_000 * MS + i * 10 * MS));
        }

        // The last 80 % (4,000 of 5,000) are the steady 10,000 a second.
        assertThat(OverheadBench.steadyRate(seenAt)).isCloseTo(10_000, Offset.offset(300.0));
    }

    @Test
    void refusesCompletionsAllSeenAtOnce() {
        List<Long> seenAt = new ArrayList<>(Collections.nCopies(500, 5_000 * MS));

        assertThatThrownBy(() -> OverheadBench.steadyRate(seenAt)).hasMessageContaining("too few prompts");
    }
}
