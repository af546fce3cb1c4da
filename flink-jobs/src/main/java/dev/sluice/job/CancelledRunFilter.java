package dev.sluice.job;

import dev.sluice.run.RunCancellations;
import dev.sluice.run.RunKeys;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Drops the requests of cancelled bulk runs before they are routed: those still in the prompts topic when the run
 * is cancelled, or published after. Each is rejected as CANCELLED, so the run accounts for it. The cancelled runs
 * are broadcast state, checkpointed; each is also recorded in {@link RunCancellations}, so that requests already
 * past this filter and waiting in a gateway's queue are dropped too.
 */
final class CancelledRunFilter extends BroadcastProcessFunction<PromptRequest, RunCommand, PromptRequest> {

    /** Cancelled runs by {@link RunKeys key}, with when they were cancelled (epoch ms). */
    static final MapStateDescriptor<String, Long> CANCELLED_RUNS =
            new MapStateDescriptor<>("cancelled-runs", Types.STRING, Types.LONG);
    static final OutputTag<Reject> REJECTS = new OutputTag<>("cancelled-rejects") {};

    private transient RejectCounters rejects;

    @Override
    public void open(OpenContext context) {
        rejects = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(PromptRequest request, ReadOnlyContext context, Collector<PromptRequest> out)
            throws Exception {
        String run = request.getRunId() == null ? null : RunKeys.of(request.getTenant(), request.getRunId());
        if (run != null && context.getBroadcastState(CANCELLED_RUNS).contains(run)) {
            // After a restore the shared record starts empty: this fills it again for the run's queued requests.
            RunCancellations.shared().cancel(run);
            rejects.count(RejectReason.CANCELLED);
            context.output(REJECTS, Rejects.forRequest(request, RejectReason.CANCELLED,
                    "run '" + request.getRunId() + "' was cancelled", context.currentProcessingTime()));
        } else {
            out.collect(request);
        }
    }

    @Override
    public void processBroadcastElement(RunCommand command, Context context, Collector<PromptRequest> out)
            throws Exception {
        if (command.getAction() == RunAction.CANCEL) {
            String key = RunKeys.of(command.getTenant(), command.getRunId());
            context.getBroadcastState(CANCELLED_RUNS).put(key, command.getIssuedAt());
            RunCancellations.shared().cancel(key);
        }
    }
}
