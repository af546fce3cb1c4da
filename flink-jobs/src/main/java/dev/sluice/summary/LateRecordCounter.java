package dev.sluice.summary;

import dev.sluice.schema.InferenceMetric;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts metrics that arrived after their window's row was written, keyed by the row's key and the window's start,
 * and reports them as a row of that window ({@link SummaryRows#late}). Late metrics of one window are
 * gathered for {@link #COALESCE_MS} of processing time first, so a burst of them makes one row, not one each.
 */
public final class LateRecordCounter<T>
        extends KeyedProcessFunction<Tuple3<String, String, Long>, InferenceMetric, T> {

    static final long COALESCE_MS = 1_000;

    private final long windowMs;
    private final SummaryRows<T> rows;
    private transient ValueState<Long> late;

    public LateRecordCounter(long windowMs, SummaryRows<T> rows) {
        this.windowMs = windowMs;
        this.rows = rows;
    }

    @Override
    public void open(OpenContext context) {
        late = getRuntimeContext().getState(new ValueStateDescriptor<>("late-records", Types.LONG));
    }

    @Override
    public void processElement(InferenceMetric metric, Context context, Collector<T> out)
            throws Exception {
        Long counted = late.value();
        if (counted == null) {
            long now = context.timerService().currentProcessingTime();
            context.timerService().registerProcessingTimeTimer(now + COALESCE_MS);
        }
        late.update(counted == null ? 1 : counted + 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<T> out) throws Exception {
        Tuple3<String, String, Long> key = context.getCurrentKey();
        out.collect(rows.late(Tuple2.of(key.f0, key.f1), key.f2, key.f2 + windowMs, late.value()));
        late.clear();
    }
}
