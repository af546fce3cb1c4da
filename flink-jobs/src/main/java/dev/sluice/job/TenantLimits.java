package dev.sluice.job;

import dev.sluice.prompt.PromptText;
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
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
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
 * Keeps each tenant within its policy's {@link Budget} and {@code tokens-per-minute} quota. Keyed by tenant, it
 * reads two things: the tenant's requests, and its spend, from the job's own metrics topic read back (each served
 * request's tokens and cost, once each: the metrics are written exactly once and read committed, and the spend and
 * the read offsets are checkpointed together). Other tenants are not touched: their requests pass through other
 * keys.
 *
 * <p><b>Budget.</b> A request of a tenant whose budget for the current period is not yet spent passes; once it is,
 * batch work is held in keyed state until the next period starts or a catalog with a larger budget arrives
 * ({@code when-spent: hold}), or rejected {@code BUDGET_EXCEEDED} ({@code when-spent: reject}). Spend is known once
 * its metrics are committed, at the checkpoint after the requests finish, so a tenant can overrun its budget by what
 * it has in flight and what finishes within one checkpoint interval. Periods are UTC calendar days or months; a
 * metric counts in the period of its own event time.
 *
 * <p><b>Quota.</b> Each request takes from a {@link TokenBucket} the tokens it may use (its prompt, estimated, and
 * its {@code max_tokens}), as hosted APIs count requests against token rate limits; one the bucket cannot cover
 * waits, held, for the bucket to refill, behind any already held (first in first out), so a tenant's batch work is
 * paced at its quota. A request needing more than a minute's quota is rejected {@code QUOTA_EXCEEDED}.
 *
 * <p>Interactive work, which cannot wait, is rejected either way ({@code BUDGET_EXCEEDED} or
 * {@code QUOTA_EXCEEDED}), as is batch work beyond the budget's {@code max-held} held requests. The broadcast side
 * carries catalog documents (accepted by {@link CatalogCheckFunction}, as for routing: a new catalog can raise a
 * budget or a quota and so release held work) and run commands (a cancelled run's held requests are rejected
 * {@code CANCELLED} at once, so its run can end).
 */
final class TenantLimits extends KeyedBroadcastProcessFunction<String, Either<PromptRequest, TenantLimits.Spend>,
        Either<String, RunCommand>, PromptRequest> {

    static final MapStateDescriptor<String, String> CATALOG =
            new MapStateDescriptor<>("budget-catalog", Types.STRING, Types.STRING);
    static final OutputTag<Reject> REJECTS = new OutputTag<>("budget-rejects") {};

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
    private final int defaultMaxTokens;
    /** The tenant's spend in one period: period start (epoch ms), tokens, cost. */
    private transient ValueState<Tuple3<Long, Long, Double>> spent;
    private transient ValueState<TokenBucket> bucket;
    private transient HeldRequests held;
    private transient CurrentCatalog catalogs;
    private transient RejectCounters rejects;
    private transient Map<String, TenantGauges> gauges;

    /** {@code defaultMaxTokens}: what a request without its own {@code max_tokens} may use against a quota. */
    TenantLimits(CatalogGate gate, int defaultMaxTokens) {
        this.gate = gate;
        this.defaultMaxTokens = defaultMaxTokens;
    }

    @Override
    public void open(OpenContext context) {
        spent = getRuntimeContext().getState(new ValueStateDescriptor<>("budget-spent",
                Types.TUPLE(Types.LONG, Types.LONG, Types.DOUBLE)));
        bucket = getRuntimeContext().getState(new ValueStateDescriptor<>("quota-bucket",
                TypeInformation.of(TokenBucket.class)));
        held = new HeldRequests(getRuntimeContext());
        catalogs = new CurrentCatalog(gate);
        rejects = new RejectCounters(getRuntimeContext().getMetricGroup());
        gauges = new HashMap<>();
    }

    @Override
    public void processElement(Either<PromptRequest, Spend> input, ReadOnlyContext context,
            Collector<PromptRequest> out) throws Exception {
        String tenant = context.getCurrentKey();
        TenantPolicy policy = policy(context.getBroadcastState(CATALOG).get(RouteFunction.CURRENT), tenant);
        long now = context.currentProcessingTime();
        if (input.isRight()) {
            count(input.right(), policy == null ? null : policy.budget());
        } else {
            Limited why = admit(input.left(), policy, now, out);
            if (why != null) {
                holdOrReject(input.left(), why, policy, now, context);
            }
        }
        report(tenant, policy, now);
    }

    /**
     * Adds {@code spend} to the total of its period: the one kept, or a later one, which starts a new total. Spend
     * from before the kept period counts in none.
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

    /** What keeps a request back: its tenant's budget, or its quota for now, or a quota it can never fit. */
    private enum Limited { BUDGET, QUOTA, OVER_QUOTA }

    /**
     * Passes {@code request} on when its tenant's limits allow it now, behind any held already, taking its tokens
     * from the quota; else what keeps it back.
     */
    private Limited admit(PromptRequest request, TenantPolicy policy, long now, Collector<PromptRequest> out)
            throws Exception {
        if (policy == null) {
            out.collect(request);
            return null;
        }
        if (policy.budget() != null && isSpent(policy.budget(), now)) {
            return Limited.BUDGET;
        }
        Long quota = policy.tokensPerMinute();
        if (quota != null) {
            int needs = PromptText.contextNeeded(request, defaultMaxTokens);
            if (needs > quota) {
                return Limited.OVER_QUOTA;
            }
            TokenBucket available = bucketAt(now, quota);
            // Batch work queues behind batch work held already; interactive work only needs the tokens.
            boolean queued = request.getPriority() == Priority.BATCH && held.size() > 0;
            if (queued || !available.has(needs)) {
                return Limited.QUOTA;
            }
            bucket.update(available.take(needs));
        }
        out.collect(request);
        return null;
    }

    /** Holds batch work kept back for a while (a spent budget under {@code hold}, a quota), else rejects it. */
    private void holdOrReject(PromptRequest request, Limited why, TenantPolicy policy, long now,
            ReadOnlyContext timers)
            throws Exception {
        Budget budget = policy.budget();
        boolean holds = why == Limited.QUOTA || (why == Limited.BUDGET && budget.whenSpent() == Budget.WhenSpent.hold);
        int most = budget == null ? Budget.DEFAULT_MAX_HELD : budget.maxHeld();
        int holding = held.size();
        if (holds && request.getPriority() == Priority.BATCH && holding < most) {
            held.add(request);
            timers.timerService().registerProcessingTimeTimer(nextTry(policy, now));
            return;
        }
        String tenant = "tenant '" + request.getTenant() + "' ";
        String message = switch (why) {
            case BUDGET -> tenant + "has spent its budget of " + budget.describe() + " until "
                    + Instant.ofEpochMilli(budget.nextPeriodStart(now));
            case QUOTA -> tenant + "is at its quota of " + policy.tokensPerMinute() + " tokens a minute";
            case OVER_QUOTA -> "the request may use " + PromptText.contextNeeded(request, defaultMaxTokens)
                    + " tokens, more than " + tenant + "may use in a minute (" + policy.tokensPerMinute() + ")";
        };
        String because = !holds || why == Limited.OVER_QUOTA ? ""
                : request.getPriority() == Priority.INTERACTIVE ? "; interactive work is not held"
                : "; " + holding + " requests are held already, its most";
        reject(request, why == Limited.BUDGET ? RejectReason.BUDGET_EXCEEDED : RejectReason.QUOTA_EXCEEDED,
                message + because, now, timers::output);
    }

    /** A timer: releases what the tenant's limits allow now. */
    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<PromptRequest> out) throws Exception {
        TenantPolicy policy = policy(context.getBroadcastState(CATALOG).get(RouteFunction.CURRENT),
                context.getCurrentKey());
        release(policy, timestamp, out, context);
        report(context.getCurrentKey(), policy, timestamp);
    }

    @Override
    public void processBroadcastElement(Either<String, RunCommand> control, Context context,
            Collector<PromptRequest> out) throws Exception {
        long now = context.currentProcessingTime();
        if (control.isLeft()) {
            context.getBroadcastState(CATALOG).put(RouteFunction.CURRENT, control.left());
            Catalog catalog = catalogs.of(control.left());
            // Flink sets each key as current while it applies the function, so the key's other state is at hand.
            context.applyToKeyedState(HeldRequests.REQUESTS, (tenant, requests) -> {
                TenantPolicy policy = catalog.policy(tenant).orElse(null);
                release(policy, now, out, null);
                report(tenant, policy, now);
            });
        } else if (control.right().getAction() == RunAction.CANCEL) {
            RunCommand cancel = control.right();
            context.applyToKeyedState(HeldRequests.REQUESTS, (tenant, requests) -> {
                if (tenant.equals(cancel.getTenant())) {
                    for (PromptRequest request : held.removeIf(r -> cancel.getRunId().equals(r.getRunId()))) {
                        reject(request, RejectReason.CANCELLED, "run '" + cancel.getRunId() + "' was cancelled",
                                now, context::output);
                    }
                }
            });
        }
    }

    /**
     * Releases held requests, first in first out, while the tenant's limits allow them; when some stay held and
     * {@code timers} is given, a timer for when they may go. Without {@code timers} (a catalog update, which cannot
     * set timers) the timer already set stands: every held request has one at or before its own next chance.
     */
    private void release(TenantPolicy policy, long now, Collector<PromptRequest> out, OnTimerContext timers)
            throws Exception {
        while (held.size() > 0) {
            if (policy != null && policy.budget() != null && isSpent(policy.budget(), now)) {
                break;
            }
            Long quota = policy == null ? null : policy.tokensPerMinute();
            if (quota != null) {
                int needs = Math.min(quota.intValue(), PromptText.contextNeeded(held.peek(), defaultMaxTokens));
                TokenBucket available = bucketAt(now, quota);
                if (!available.has(needs)) {
                    break;
                }
                bucket.update(available.take(needs));
            }
            out.collect(held.poll());
        }
        if (held.size() > 0 && timers != null) {
            timers.timerService().registerProcessingTimeTimer(nextTry(policy, now));
        }
    }

    /** When held work may next go: the next period while the budget is spent, else when the quota covers the head. */
    private long nextTry(TenantPolicy policy, long now) throws Exception {
        Budget budget = policy.budget();
        if (budget != null && isSpent(budget, now)) {
            return budget.nextPeriodStart(now);
        }
        Long quota = policy.tokensPerMinute();
        if (quota == null || held.size() == 0) {
            return now + 1;
        }
        int needs = Math.min(quota.intValue(), PromptText.contextNeeded(held.peek(), defaultMaxTokens));
        return now + bucketAt(now, quota).millisUntil(needs, quota);
    }

    private TokenBucket bucketAt(long now, long perMinute) throws Exception {
        TokenBucket kept = bucket.value();
        return (kept == null ? TokenBucket.full(perMinute, now) : kept).at(now, perMinute);
    }

    private boolean isSpent(Budget budget, long now) throws Exception {
        Tuple3<Long, Long, Double> total = spent.value();
        return total != null && total.f0 == budget.periodStart(now) && budget.isSpent(total.f1, total.f2);
    }

    private TenantPolicy policy(String document, String tenant) {
        return catalogs.of(document).policy(tenant).orElse(null);
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

    /** Updates the tenant's gauges, registering them the first time a tenant with a budget or quota is seen. */
    private void report(String tenant, TenantPolicy policy, long now) throws Exception {
        boolean limited = policy != null && (policy.budget() != null || policy.tokensPerMinute() != null);
        if (!limited && !gauges.containsKey(tenant)) {
            return;
        }
        Budget budget = policy == null ? null : policy.budget();
        Tuple3<Long, Long, Double> total = spent.value();
        double used = budget == null || total == null || total.f0 != budget.periodStart(now) ? 0
                : budget.used(total.f1, total.f2);
        gauges.computeIfAbsent(tenant, t -> new TenantGauges(getRuntimeContext().getMetricGroup(), t))
                .set(used, held.size());
    }

    /** The gauges of one tenant, read by the metrics reporter's thread. */
    private static final class TenantGauges {
        private volatile double used;
        private volatile int held;

        TenantGauges(MetricGroup operator, String tenant) {
            SluiceMetrics.BUDGET_USED.group(operator, tenant).gauge(SluiceMetrics.BUDGET_USED.name(), () -> used);
            SluiceMetrics.HELD.group(operator, tenant).gauge(SluiceMetrics.HELD.name(), () -> held);
        }

        void set(double used, int held) {
            this.used = used;
            this.held = held;
        }
    }
}
