package dev.sluice.summary;

import java.io.Serializable;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * What one kind of summary row is made of: a key of two parts (model and endpoint, or tenant and run), and either a
 * closed window's accumulator or a count of metrics that came after it. One pipeline of windows and late counts
 * serves each kind ({@link ModelRows}, {@link UsageRows}).
 */
public interface SummaryRows<T> extends Serializable {

    /** The row of {@code key} for the window [{@code start}, {@code end}). */
    T window(Tuple2<String, String> key, SummaryAccumulator acc, long start, long end);

    /** The row reporting {@code lateRecords} metrics of that window that came after its row was written. */
    T late(Tuple2<String, String> key, long start, long end, long lateRecords);
}
