package dev.sluice.summary;

import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts metrics that arrived after their window's row was written, keyed by (model, endpoint, window start), and
 * reports them as a row of that window with count 0 and {@code late_records} set. Late metrics of one window are
 * gathered for {@link #COALESCE_MS} of processing time first, so a burst of them makes one row, not one each.
 */
public final class LateRecordCounter
        extends KeyedProcessFunction<Tuple3<String, String, Long>, InferenceMetric, MetricsSummary> {

    static final long COALESCE_MS = 1_000;

    private final long windowMs;
    private transient ValueState<Long> late;

    public LateRecordCounter(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public void open(OpenContext context) {
        late = getRuntimeContext().getState(new ValueStateDescriptor<>("late-records", Types.LONG));
    }

    @Override
    public void processElement(InferenceMetric metric, Context context, Collector<MetricsSummary> out)
            throws Exception {
        Long counted = late.value();
        if (counted == null) {
            long now = context.timerService().currentProcessingTime();
            context.timerService().registerProcessingTimeTimer(now + COALESCE_MS);
        }
        late.update(counted == null ? 1 : counted + 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<MetricsSummary> out) throws Exception {
        Tuple3<String, String, Long> key = context.getCurrentKey();
        out.collect(MetricsSummary.newBuilder()
                .setModelId(key.f0).setEndpoint(key.f1).setWindowStart(key.f2).setWindowEnd(key.f2 + windowMs)
                .setCount(0).setOkCount(0).setErrors(Map.of())
                .setLateRecords(late.value())
                .build());
        late.clear();
    }
}
