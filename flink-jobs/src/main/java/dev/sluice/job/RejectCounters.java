package dev.sluice.job;

import dev.sluice.schema.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** One subtask's count of rejects by reason, each reason's counter registered when it first occurs. */
final class RejectCounters {

    private final MetricGroup operator;
    private final Map<RejectReason, Counter> byReason = new EnumMap<>(RejectReason.class);

    RejectCounters(MetricGroup operator) {
        this.operator = operator;
    }

    void count(RejectReason reason) {
        byReason.computeIfAbsent(reason, r -> SluiceMetrics.REJECTS.group(operator, r.name())
                .counter(SluiceMetrics.REJECTS.name())).inc();
    }
}
