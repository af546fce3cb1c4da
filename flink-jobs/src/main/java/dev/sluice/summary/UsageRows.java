package dev.sluice.summary;

import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import java.util.Map;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * {@link UsageSummary} rows, keyed by (tenant, run id), the run id {@value #TENANT_ROW} for the tenant's row over
 * all its work ({@link UsageScopes}).
 */
public final class UsageRows implements SummaryRows<UsageSummary> {

    /** The key's run part for a tenant's row: no run id is empty. */
    static final String TENANT_ROW = "";

    /** The key a metric is summarised under; {@link UsageScopes} has cleared the run id of the tenant's copy. */
    public static Tuple2<String, String> keyOf(InferenceMetric metric) {
        return Tuple2.of(metric.getTenant(), metric.getRunId() == null ? TENANT_ROW : metric.getRunId());
    }

    /** The record key on the usage topic: the tenant, or {@code tenant/run_id} for a run's row. */
    public static String recordKey(UsageSummary row) {
        return row.getRunId() == null ? row.getTenant() : row.getTenant() + "/" + row.getRunId();
    }

    @Override
    public UsageSummary window(Tuple2<String, String> key, SummaryAccumulator acc, long start, long end) {
        return acc.toUsage(key.f0, runId(key), start, end);
    }

    @Override
    public UsageSummary late(Tuple2<String, String> key, long start, long end, long lateRecords) {
        return UsageSummary.newBuilder()
                .setScope(key.f1.equals(TENANT_ROW) ? UsageScope.TENANT : UsageScope.RUN)
                .setTenant(key.f0).setRunId(runId(key)).setWindowStart(start).setWindowEnd(end)
                .setRequests(0).setOkRequests(0).setErrors(Map.of())
                .setLateRecords(lateRecords)
                .build();
    }

    private static String runId(Tuple2<String, String> key) {
        return key.f1.equals(TENANT_ROW) ? null : key.f1;
    }
}
