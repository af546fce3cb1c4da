package dev.sluice.job;

import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Lets the first request of each tenant and request id through and rejects any other with the same pair within
 * the dedupe window (DUPLICATE_REQUEST). Producers retry; without this a retried prompt would be served, and billed,
 * twice. The tenant is part of the key because ids are the tenants' own: two tenants may pick the same id, and
 * one tenant must never be able to suppress another's request. The seen pairs are keyed state, checkpointed with
 * the source offsets, so a restore neither forgets an original nor rejects one; they expire after the window
 * (processing time) so the state stays bounded by the window's traffic.
 */
final class DedupeFunction extends KeyedProcessFunction<String, PromptRequest, PromptRequest> {

    static final OutputTag<Reject> REJECTS = new OutputTag<>("duplicate-rejects") {};

    private final Duration window;
    private transient ValueState<Boolean> seen;
    private transient RejectCounters rejects;

    DedupeFunction(Duration window) {
        this.window = window;
    }

    /** Tenant and request id; the length prefix keeps ("a/b", "c") apart from ("a", "b/c"). */
    static String key(PromptRequest request) {
        return request.getTenant().length() + ":" + request.getTenant() + "/" + request.getRequestId();
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(window)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        seen = getRuntimeContext().getState(descriptor);
        rejects = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(PromptRequest request, Context context, Collector<PromptRequest> out)
            throws Exception {
        if (seen.value() == null) {
            seen.update(true);
            out.collect(request);
        } else {
            rejects.count(RejectReason.DUPLICATE_REQUEST);
            context.output(REJECTS, Rejects.forRequest(request, RejectReason.DUPLICATE_REQUEST,
                    "request id '" + request.getRequestId() + "' of tenant '" + request.getTenant()
                            + "' was already received within the dedupe window of " + window,
                    context.timerService().currentProcessingTime()));
        }
    }
}
