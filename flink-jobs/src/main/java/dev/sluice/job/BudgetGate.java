package dev.sluice.job;

import dev.sluice.routing.Budget;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogGate;
import dev.sluice.routing.TenantPolicy;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keeps each tenant within its {@link Budget}. Keyed by tenant, it reads two things: the tenant's requests, and its
 * spend, from the job's own metrics topic read back (each served request's tokens and cost, once each: the metrics
 * are written exactly once and read committed, and the spend and the read offsets are checkpointed together). A
 * request of a tenant whose budget for the current period is not yet spent passes; once it is, batch work is held in
 * keyed state until the next period starts or a catalog with a larger budget arrives ({@code when-spent: hold}), or
 * rejected {@code BUDGET_EXCEEDED} ({@code when-spent: reject}); interactive work, which cannot wait for a new
 * period, is rejected either way, as is batch work beyond the budget's {@code max-held}. Other tenants are not
 * touched: their requests pass through other keys.
 *
 * <p>Spend is known once its metrics are committed, at the checkpoint after the requests finish, so a tenant can
 * overrun its budget by what it has in flight and what finishes within one checkpoint interval. Periods are UTC
 * calendar days or months; a metric counts in the period of its own event time, so one read late still counts where
 * it belongs, and one from an earlier period counts in none.
 *
 * <p>The broadcast side carries catalog documents (accepted by {@link CatalogCheckFunction}, as for routing: a new
 * catalog can raise a budget and so release held work) and run commands (a cancelled run's held requests are
 * rejected {@code CANCELLED} at once, so its run can end).
 */
final class BudgetGate extends KeyedBroadcastProcessFunction<String, Either<PromptRequest, BudgetGate.Spend>,
        Either<String, RunCommand>, PromptRequest> {

    static final MapStateDescriptor<String, String> CATALOG =
            new MapStateDescriptor<>("budget-catalog", Types.STRING, Types.STRING);
    static final OutputTag<Reject> REJECTS = new OutputTag<>("budget-rejects") {};
    static final ListStateDescriptor<PromptRequest> HELD =
            new ListStateDescriptor<>("budget-held", new AvroTypeInfo<>(PromptRequest.class));

    /**
     * A served request's cost to its tenant, from its metric.
     *
     * @param tenant whose budget it counts against
     * @param at when it finished, epoch ms: the period it counts in
     * @param tokens prompt and completion tokens
     * @param cost as its deployment's price reckons it; 0 without a price
     */
    record Spend(String tenant, long at, long tokens, double cost) {}

    /** The input's type: requests as Avro, spend as a POJO. */
    static TypeInformation<Either<PromptRequest, Spend>> inputType() {
        return Types.EITHER(new AvroTypeInfo<>(PromptRequest.class), TypeInformation.of(Spend.class));
    }

    /** The tenant a request or a spend belongs to: the key. */
    static String tenantOf(Either<PromptRequest, Spend> input) {
        return input.isLeft() ? input.left().getTenant() : input.right().tenant();
    }

    /** The broadcast side's type: catalog documents and run commands. */
    static TypeInformation<Either<String, RunCommand>> controlType() {
        return Types.EITHER(Types.STRING, new AvroTypeInfo<>(RunCommand.class));
    }

    private final CatalogGate gate;
    /** The tenant's spend in one period: period start (epoch ms), tokens, cost. */
    private transient ValueState<Tuple3<Long, Long, Double>> spent;
    private transient ListState<PromptRequest> held;
    private transient ValueState<Integer> heldCount;
    private transient CurrentCatalog catalogs;
    private transient RejectCounters rejects;
    private transient Map<String, TenantGauges> gauges;

    BudgetGate(CatalogGate gate) {
        this.gate = gate;
    }

    @Override
    public void open(OpenContext context) {
        spent = getRuntimeContext().getState(new ValueStateDescriptor<>("budget-spent",
                Types.TUPLE(Types.LONG, Types.LONG, Types.DOUBLE)));
        held = getRuntimeContext().getListState(HELD);
        heldCount = getRuntimeContext().getState(new ValueStateDescriptor<>("budget-held-count", Types.INT));
        catalogs = new CurrentCatalog(gate);
        rejects = new RejectCounters(getRuntimeContext().getMetricGroup());
        gauges = new HashMap<>();
    }

    @Override
    public void processElement(Either<PromptRequest, Spend> input, ReadOnlyContext context,
            Collector<PromptRequest> out) throws Exception {
        String tenant = context.getCurrentKey();
        Budget budget = budget(context.getBroadcastState(CATALOG).get(RouteFunction.CURRENT), tenant);
        long now = context.currentProcessingTime();
        if (input.isRight()) {
            count(input.right(), budget);
        } else {
            admit(input.left(), budget, now, context, out);
        }
        report(tenant, budget, now);
    }

    /**
     * Adds {@code spend} to the total of its period: the one kept, or a later one, which starts a new total. Spend from
     * before the kept period counts in none.
     */
    private void count(Spend spend, Budget budget) throws Exception {
        if (budget == null) {
            return; // nothing to keep: a budget added later counts from when it is added
        }
        long period = budget.periodStart(spend.at());
        Tuple3<Long, Long, Double> before = spent.value();
        if (before != null && before.f0 == period) {
            spent.update(Tuple3.of(period, before.f1 + spend.tokens(), before.f2 + spend.cost()));
        } else if (before == null || spend.at() >= before.f0) {
            // A later period, or the same time under a budget whose period changed from day to month.
            spent.update(Tuple3.of(period, spend.tokens(), spend.cost()));
        }
    }

    private void admit(PromptRequest request, Budget budget, long now, ReadOnlyContext context,
            Collector<PromptRequest> out) throws Exception {
        if (budget == null || !isSpent(budget, now)) {
            out.collect(request);
            return;
        }
        int holding = heldCount();
        if (budget.whenSpent() == Budget.WhenSpent.hold && request.getPriority() == Priority.BATCH
                && holding < budget.maxHeld()) {
            held.add(request);
            heldCount.update(holding + 1);
            context.timerService().registerProcessingTimeTimer(budget.nextPeriodStart(now));
            return;
        }
        String why = budget.whenSpent() == Budget.WhenSpent.reject ? ""
                : request.getPriority() == Priority.INTERACTIVE ? "; interactive work is not held"
                : "; " + holding + " requests are held already, its most";
        reject(request, RejectReason.BUDGET_EXCEEDED, "tenant '" + request.getTenant() + "' has spent its budget of "
                + budget.describe() + " until " + Instant.ofEpochMilli(budget.nextPeriodStart(now)) + why, now,
                context::output);
    }

    /** A new period: releases the held requests if the budget allows them now. */
    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<PromptRequest> out) throws Exception {
        Budget budget = budget(context.getBroadcastState(CATALOG).get(RouteFunction.CURRENT), context.getCurrentKey());
        if (budget == null || !isSpent(budget, timestamp)) {
            release(out);
        } else if (heldCount() > 0) {
            context.timerService().registerProcessingTimeTimer(budget.nextPeriodStart(timestamp));
        }
        report(context.getCurrentKey(), budget, timestamp);
    }

    @Override
    public void processBroadcastElement(Either<String, RunCommand> control, Context context,
            Collector<PromptRequest> out) throws Exception {
        long now = context.currentProcessingTime();
        if (control.isLeft()) {
            context.getBroadcastState(CATALOG).put(RouteFunction.CURRENT, control.left());
            Catalog catalog = catalogs.of(control.left());
            // Flink sets each key as current while it applies the function, so the key's spend is at hand too.
            context.applyToKeyedState(HELD, (tenant, requests) -> {
                Budget budget = catalog.policy(tenant).map(TenantPolicy::budget).orElse(null);
                if (budget == null || !isSpent(budget, now)) {
                    release(out);
                }
                report(tenant, budget, now);
            });
        } else if (control.right().getAction() == RunAction.CANCEL) {
            RunCommand cancel = control.right();
            context.applyToKeyedState(HELD, (tenant, requests) -> {
                if (tenant.equals(cancel.getTenant())) {
                    dropRun(cancel.getRunId(), now, context::output);
                }
            });
        }
    }

    private void dropRun(String runId, long now, Rejecting output) throws Exception {
        List<PromptRequest> kept = new ArrayList<>();
        for (PromptRequest request : held.get()) {
            if (runId.equals(request.getRunId())) {
                reject(request, RejectReason.CANCELLED, "run '" + runId + "' was cancelled", now, output);
            } else {
                kept.add(request);
            }
        }
        held.update(kept);
        heldCount.update(kept.size());
    }

    private void release(Collector<PromptRequest> out) throws Exception {
        for (PromptRequest request : held.get()) {
            out.collect(request);
        }
        held.clear();
        heldCount.clear();
    }

    private boolean isSpent(Budget budget, long now) throws Exception {
        Tuple3<Long, Long, Double> total = spent.value();
        return total != null && total.f0 == budget.periodStart(now) && budget.isSpent(total.f1, total.f2);
    }

    private int heldCount() throws Exception {
        Integer count = heldCount.value();
        return count == null ? 0 : count;
    }

    private Budget budget(String document, String tenant) {
        return catalogs.of(document).policy(tenant).map(TenantPolicy::budget).orElse(null);
    }

    /** Where a reject goes: the side output, from any of the function's contexts. */
    @FunctionalInterface
    private interface Rejecting {
        void output(OutputTag<Reject> tag, Reject reject);
    }

    private void reject(PromptRequest request, RejectReason reason, String message, long now, Rejecting output) {
        rejects.count(reason);
        output.output(REJECTS, Rejects.forRequest(request, reason, message, now));
    }

    /** Updates the tenant's gauges, registering them the first time a budgeted tenant is seen. */
    private void report(String tenant, Budget budget, long now) throws Exception {
        if (budget == null && !gauges.containsKey(tenant)) {
            return;
        }
        Tuple3<Long, Long, Double> total = spent.value();
        double used = budget == null || total == null || total.f0 != budget.periodStart(now) ? 0
                : budget.used(total.f1, total.f2);
        gauges.computeIfAbsent(tenant, t -> new TenantGauges(getRuntimeContext().getMetricGroup(), t))
                .set(used, heldCount());
    }

    /** The gauges of one tenant, read by the metrics reporter's thread. */
    private static final class TenantGauges {
        private volatile double used;
        private volatile int held;

        TenantGauges(MetricGroup operator, String tenant) {
            SluiceMetrics.BUDGET_USED.group(operator, tenant).gauge(SluiceMetrics.BUDGET_USED.name(),
                    () -> used);
            SluiceMetrics.BUDGET_HELD.group(operator, tenant).gauge(SluiceMetrics.BUDGET_HELD.name(),
                    () -> held);
        }

        void set(double used, int held) {
            this.used = used;
            this.held = held;
        }
    }
}
