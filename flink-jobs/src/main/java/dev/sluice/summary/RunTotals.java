package dev.sluice.summary;

import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import dev.sluice.schema.UsageTotals;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by the row's record key ({@link UsageRows#recordKey}): sets each window row of a run to the run's totals
 * so far, kept in keyed state, so a consumer reads a run's usage from its latest row alone. Tenant rows and
 * late-data rows pass unchanged; late metrics are counted in their own rows, not in the totals.
 */
public final class RunTotals extends KeyedProcessFunction<String, UsageSummary, UsageSummary> {

    private transient ValueState<UsageTotals> totals;

    @Override
    public void open(OpenContext context) {
        totals = getRuntimeContext().getState(
                new ValueStateDescriptor<>("run-totals", new AvroTypeInfo<>(UsageTotals.class)));
    }

    @Override
    public void processElement(UsageSummary row, Context context, Collector<UsageSummary> out) throws Exception {
        if (row.getScope() != UsageScope.RUN || row.getLateRecords() > 0) {
            out.collect(row);
            return;
        }
        UsageTotals before = totals.value();
        UsageTotals after = before == null ? new UsageTotals(row.getRequests(), row.getPromptTokens(),
                row.getCompletionTokens(), row.getCachedTokens(), row.getGpuSeconds(), row.getCost())
                : new UsageTotals(before.getRequests() + row.getRequests(),
                        before.getPromptTokens() + row.getPromptTokens(),
                        before.getCompletionTokens() + row.getCompletionTokens(),
                        before.getCachedTokens() + row.getCachedTokens(),
                        before.getGpuSeconds() + row.getGpuSeconds(), before.getCost() + row.getCost());
        totals.update(after);
        out.collect(UsageSummary.newBuilder(row).setRunTotals(after).build());
    }
}
