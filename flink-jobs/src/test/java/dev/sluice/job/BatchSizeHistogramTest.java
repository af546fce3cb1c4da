package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.apache.flink.metrics.HistogramStatistics;
import org.junit.jupiter.api.Test;

/** Tests for {@link BatchSizeHistogram}. */
class BatchSizeHistogramTest {

    @Test
    void statisticsComeFromTheCountsOfBatchesBySize() {
        // Three batches of 1, one of 2, none of 3, four of 4.
        BatchSizeHistogram histogram = new BatchSizeHistogram(() -> new long[] {0, 3, 1, 0, 4});
        HistogramStatistics statistics = histogram.getStatistics();

        assertThat(histogram.getCount()).isEqualTo(8);
        assertThat(statistics.getValues()).containsExactly(1, 1, 1, 2, 4, 4, 4, 4);
        assertThat(statistics.getMin()).isEqualTo(1);
        assertThat(statistics.getMax()).isEqualTo(4);
        assertThat(statistics.getMean()).isEqualTo(21 / 8.0);
        assertThat(statistics.getStdDev()).isCloseTo(1.5059, within(1e-4));
        assertThat(statistics.getQuantile(0.375)).isEqualTo(1);
        assertThat(statistics.getQuantile(0.5)).isEqualTo(2);
        assertThat(statistics.getQuantile(0.51)).isEqualTo(4);
        assertThat(statistics.getQuantile(0.0)).isEqualTo(1);
    }

    @Test
    void noBatchesGiveZeroes() {
        HistogramStatistics statistics = new BatchSizeHistogram(() -> new long[5]).getStatistics();

        assertThat(statistics.size()).isZero();
        assertThat(statistics.getQuantile(0.99)).isZero();
        assertThat(statistics.getMean()).isZero();
        assertThat(statistics.getMax()).isZero();
    }
}
