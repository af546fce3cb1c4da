package dev.sluice.summary;

import dev.sluice.schema.MetricsSummary;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a closed window's accumulator into its summary row, with the key and the window's bounds. */
public final class SummaryWindowFunction
        extends ProcessWindowFunction<SummaryAccumulator, MetricsSummary, Tuple2<String, String>, TimeWindow> {

    @Override
    public void process(Tuple2<String, String> key, Context context, Iterable<SummaryAccumulator> accumulators,
            Collector<MetricsSummary> out) {
        TimeWindow window = context.window();
        for (SummaryAccumulator acc : accumulators) {
            out.collect(acc.toSummary(key.f0, key.f1, window.getStart(), window.getEnd()));
        }
    }
}
