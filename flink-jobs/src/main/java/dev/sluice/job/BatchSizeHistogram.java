package dev.sluice.job;

import java.util.function.Supplier;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/**
 * A gateway's batch sizes as a Flink histogram: a read-only view over its counts of batches by size
 * ({@link dev.sluice.gateway.Gateway#batchSizes()}), so the gateway's hot path only increments an array slot.
 * Statistics are exact, over every batch since the gateway started.
 */
final class BatchSizeHistogram implements Histogram {

    private final Supplier<long[]> countsBySize;

    BatchSizeHistogram(Supplier<long[]> countsBySize) {
        this.countsBySize = countsBySize;
    }

    @Override
    public void update(long value) {
        throw new UnsupportedOperationException("the gateway counts its own batches");
    }

    @Override
    public long getCount() {
        long count = 0;
        for (long batches : countsBySize.get()) {
            count += batches;
        }
        return count;
    }

    @Override
    public HistogramStatistics getStatistics() {
        return new Statistics(countsBySize.get());
    }

    /** Statistics of one snapshot of the counts; element {@code n} counts batches of {@code n} requests. */
    static final class Statistics extends HistogramStatistics {

        private final long[] counts;
        private final long total;

        Statistics(long[] counts) {
            this.counts = counts;
            long sum = 0;
            for (long batches : counts) {
                sum += batches;
            }
            this.total = sum;
        }

        /** The nearest-rank quantile: the smallest size at least that share of batches do not exceed; 0 if none. */
        @Override
        public double getQuantile(double quantile) {
            long rank = Math.max(1, (long) Math.ceil(quantile * total));
            long seen = 0;
            for (int size = 0; size < counts.length; size++) {
                seen += counts[size];
                if (seen >= rank) {
                    return size;
                }
            }
            return 0;
        }

        /** Every batch's size, smallest first. */
        @Override
        public long[] getValues() {
            long[] values = new long[size()];
            int at = 0;
            for (int size = 0; size < counts.length; size++) {
                for (long i = 0; i < counts[size]; i++) {
                    values[at++] = size;
                }
            }
            return values;
        }

        @Override
        public int size() {
            return Math.toIntExact(total);
        }

        @Override
        public double getMean() {
            if (total == 0) {
                return 0;
            }
            double sum = 0;
            for (int size = 0; size < counts.length; size++) {
                sum += (double) size * counts[size];
            }
            return sum / total;
        }

        @Override
        public double getStdDev() {
            if (total < 2) {
                return 0;
            }
            double mean = getMean();
            double squares = 0;
            for (int size = 0; size < counts.length; size++) {
                squares += counts[size] * (size - mean) * (size - mean);
            }
            return Math.sqrt(squares / (total - 1));
        }

        @Override
        public long getMax() {
            for (int size = counts.length - 1; size > 0; size--) {
                if (counts[size] > 0) {
                    return size;
                }
            }
            return 0;
        }

        @Override
        public long getMin() {
            for (int size = 0; size < counts.length; size++) {
                if (counts[size] > 0) {
                    return size;
                }
            }
            return 0;
        }
    }
}
