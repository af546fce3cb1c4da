package dev.sluice.summary;

import dev.sluice.schema.MetricsSummary;
import java.util.Map;
import org.apache.flink.api.java.tuple.Tuple2;

/** {@link MetricsSummary} rows, keyed by (model, endpoint); endpoint {@value ModelTotals#ALL_ENDPOINTS} for all. */
public final class ModelRows implements SummaryRows<MetricsSummary> {

    @Override
    public MetricsSummary window(Tuple2<String, String> key, SummaryAccumulator acc, long start, long end) {
        return acc.toSummary(key.f0, key.f1, start, end);
    }

    @Override
    public MetricsSummary late(Tuple2<String, String> key, long start, long end, long lateRecords) {
        return MetricsSummary.newBuilder()
                .setModelId(key.f0).setEndpoint(key.f1).setWindowStart(start).setWindowEnd(end)
                .setCount(0).setOkCount(0).setErrors(Map.of())
                .setLateRecords(lateRecords)
                .build();
    }
}
