package dev.sluice.summary;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a closed window's accumulator into its summary row, with the key and the window's bounds. */
public final class SummaryWindowFunction<T>
        extends ProcessWindowFunction<SummaryAccumulator, T, Tuple2<String, String>, TimeWindow> {

    private final SummaryRows<T> rows;

    public SummaryWindowFunction(SummaryRows<T> rows) {
        this.rows = rows;
    }

    @Override
    public void process(Tuple2<String, String> key, Context context, Iterable<SummaryAccumulator> accumulators,
            Collector<T> out) {
        TimeWindow window = context.window();
        for (SummaryAccumulator acc : accumulators) {
            out.collect(rows.window(key, acc, window.getStart(), window.getEnd()));
        }
    }
}
