package dev.sluice.job;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.BackendSpec;
import dev.sluice.config.ModelDeployment;
import dev.sluice.config.HoldSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.gateway.DeadlineExceededException;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.Gateways;
import dev.sluice.gateway.Share;
import dev.sluice.prompt.PromptText;
import dev.sluice.run.RunCancellations;
import dev.sluice.run.RunKeys;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RouteExclusion;
import dev.sluice.schema.RouteExplanation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Hands each request to its deployment's gateway, which batches, prioritises and paces requests for the server
 * (one gateway per deployment per TaskManager, shared by the subtasks). Gateways are acquired when a deployment is
 * first routed to, so a catalog reloaded with a new deployment needs no restart. Flink's async operator bounds the
 * requests in flight and checkpoints them, so a restore re-issues whatever had no answer yet. Every request ends
 * as exactly one outcome: a timeout, a missed deadline or a server failure is a reject, never a job failure. A
 * request its model's servers fail, after the gateway's retries, fails over to the next eligible model it was
 * routed with. When every model it was routed with has failed it, or none could be reached, it is held and tried
 * again from the router's choice until its hold ({@code gateway.hold}, by priority, within its own deadline) runs
 * out: a GPU outage makes bulk work late, not rejected. A held request keeps its place in the async operator's
 * bounded capacity, so the wait backpressures Kafka instead of growing memory. A request of a bulk run that is
 * cancelled while it waits in a gateway's queue is dropped from it unsent, and rejected as CANCELLED; one at a
 * server has its call cancelled there. A request at a server that Flink's timeout ends is withdrawn the same way,
 * and one whose deadline passes at a server ends with its call, which carries the deadline.
 */
final class InferenceFunction extends RichAsyncFunction<RoutedRequest, InferenceOutcome> {

    static final long RETRY_ACQUIRE_MILLIS = 2_000;
    /** How long a held request waits before it is tried again, when no model took it. */
    static final long HELD_RETRY_MILLIS = 1_000;

    private final SluiceConfig config;
    private transient Map<String, Gateway> gateways;
    private transient Map<String, Failure> failures;
    /** Deployments as parsed from the JSON that routed requests carry, parsed once per distinct deployment. */
    private transient Map<String, ModelDeployment> deployments;
    /** Guarded by this: a failover on a gateway's thread may acquire one while the task closes. */
    private transient List<List<BackendSpec>> acquired;
    /** Guarded by this: once closed, no gateway is acquired again, so none is left unreleased. */
    private transient boolean closed;
    private transient int defaultMaxTokens;
    private transient AutoCloseable cancellations;
    private transient ScheduledExecutorService heldRetries;
    /** Requests in gateways, so that one Flink's {@link #timeout} gives up on is withdrawn from its gateway. */
    private transient GatewayWithdrawals inGateway;

    InferenceFunction(SluiceConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        defaultMaxTokens = config.limits().toIntakeLimits().defaultMaxTokens();
        gateways = new ConcurrentHashMap<>();
        failures = new ConcurrentHashMap<>();
        deployments = new ConcurrentHashMap<>();
        inGateway = new GatewayWithdrawals();
        acquired = new ArrayList<>();
        cancellations = RunCancellations.shared().follow(config.kafka());
        heldRetries = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sluice-held-requests");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The longest any request may take here: the longer hold. Flink's async timeout is set beyond it, so that a
     * request ends by its own deadline, as a reject with a reason, before Flink's timeout could end it.
     */
    static Duration longestHold(SluiceConfig config) {
        HoldSettings hold = config.gateway().hold();
        Duration interactive = hold.interactiveOr(config.job().requestTimeout());
        return interactive.compareTo(hold.batchOrDefault()) > 0 ? interactive : hold.batchOrDefault();
    }

    private Duration hold(Priority priority) {
        HoldSettings hold = config.gateway().hold();
        return priority == Priority.BATCH ? hold.batchOrDefault() : hold.interactiveOr(config.job().requestTimeout());
    }

    @Override
    public void asyncInvoke(RoutedRequest routed, ResultFuture<InferenceOutcome> result) {
        Outcomes.Clock clock = Outcomes.Clock.startingNow();
        PromptRequest request = routed.request();
        if (request.getDeadline() != null && request.getDeadline() <= clock.acceptedAtMillis()) {
            complete(result, Outcomes.rejected(request, target(routed.chosen()), RejectReason.DEADLINE_EXCEEDED,
                    "deadline passed before the request could be sent", clock, System.nanoTime()));
            return;
        }
        // Clamped in milliseconds first: a producer may set a deadline far off, and nanoseconds would overflow.
        long holdMillis = hold(request.getPriority()).toMillis();
        long leftMillis = request.getDeadline() == null ? holdMillis
                : Math.min(holdMillis, request.getDeadline() - clock.acceptedAtMillis());
        new Attempt(routed, clock, clock.acceptedNanos() + leftMillis * 1_000_000, result).at(0);
    }

    /**
     * One request's way through its eligible models: the router's choice first, then, when that one's servers
     * fail it after the gateway's retries, the next, never past the deadline. A model whose servers all have
     * their circuits open is passed over straight away while a later one can take the request.
     */
    private final class Attempt {
        private final RoutedRequest routed;
        private final Outcomes.Clock clock;
        private final long deadlineNanos;
        private final ResultFuture<InferenceOutcome> result;
        private final List<RouteExclusion> failedOver = new ArrayList<>();

        Attempt(RoutedRequest routed, Outcomes.Clock clock, long deadlineNanos,
                ResultFuture<InferenceOutcome> result) {
            this.routed = routed;
            this.clock = clock;
            this.deadlineNanos = deadlineNanos;
            this.result = result;
        }

        void at(int first) {
            int index = firstAvailable(first);
            RoutedRequest.Target model = routed.targets().get(index);
            Outcomes.Target target = target(model);
            PromptRequest request = routed.request();
            String run = request.getRunId() == null ? null : RunKeys.of(request.getTenant(), request.getRunId());
            if (run != null && RunCancellations.shared().isCancelled(run)) {
                // Also on failover, from a gateway's callback: no other gateway is touched.
                complete(result, cancelled(routed, target, clock, System.nanoTime()));
                return;
            }
            ModelHealth health = ModelHealth.shared();
            health.started(model.modelId(), target.endpoint());
            Gateway gateway;
            try {
                gateway = gateway(model);
            } catch (RuntimeException e) {
                // No gateway to be had (a channel that cannot be built, or the function closing): fail over, or
                // reject; the job goes on.
                boolean retryable = !(e instanceof BackendException failure) || failure.isRetryable();
                health.finished(model.modelId(), target.endpoint(), false, retryable);
                failed(index, target, retryable, e.getMessage(), System.nanoTime());
                return;
            }
            boolean interactive = request.getPriority() == Priority.INTERACTIVE;
            CompletableFuture<Gateway.Answer> answered =
                    gateway.submit(PromptText.toGeneration(request, defaultMaxTokens), interactive, deadlineNanos,
                            new Share(request.getTenant(), routed.weight()));
            if (run != null) {
                RunCancellations.shared().watch(run, gateway, answered);
            }
            inGateway.entered(result, gateway, answered);
            answered.whenComplete((answer, failure) -> {
                // Before settling: a failover puts the next gateway's entry.
                inGateway.left(result);
                if (run != null) {
                    RunCancellations.shared().finished(run, gateway, answered);
                }
                try {
                    settle(index, model, target, answer, failure);
                } catch (RuntimeException e) {
                    // A fault of ours must end the request now, not hide as a timeout a minute later.
                    complete(result, Outcomes.rejected(routed.request(), target, RejectReason.BACKEND_FAILED,
                            "the answer could not be handled: " + e, clock, System.nanoTime()));
                }
            });
        }

        /** Ends the request with the gateway's answer, or fails it over to the next model. */
        private void settle(int index, RoutedRequest.Target model, Outcomes.Target target, Gateway.Answer answer,
                Throwable failure) {
            long now = System.nanoTime();
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            boolean retryable = cause instanceof BackendException backendFailure && backendFailure.isRetryable();
            ModelHealth.shared().finished(model.modelId(), target.endpoint(), failure == null, retryable);
            if (cause instanceof CancellationException) {
                complete(result, cancelled(routed, target, clock, now));
            } else if (failure == null) {
                complete(result, Outcomes.completed(routed.request(), target, explanation(), answer,
                        clock.sentAt(answer.sentNanos()), now));
            } else if (cause instanceof DeadlineExceededException) {
                complete(result, Outcomes.rejected(routed.request(), target, RejectReason.DEADLINE_EXCEEDED,
                        cause.getMessage(), clock, now));
            } else {
                failed(index, target, retryable,
                        cause instanceof BackendException ? cause.getMessage() : cause.toString(), now);
            }
        }

        /** The first model from {@code from} on whose servers take calls now; {@code from} if none does. */
        private int firstAvailable(int from) {
            ModelHealth health = ModelHealth.shared();
            for (int i = from; i < routed.targets().size(); i++) {
                RoutedRequest.Target candidate = routed.targets().get(i);
                if (!health.isDown(candidate.modelId(), target(candidate).endpoint())) {
                    if (i > from) {
                        for (int skipped = from; skipped < i; skipped++) {
                            failedOver.add(new RouteExclusion(routed.targets().get(skipped).modelId(),
                                    "failover: its servers are down"));
                        }
                    }
                    return i;
                }
            }
            return from;
        }

        private void failed(int index, Outcomes.Target target, boolean retryable, String message, long now) {
            if (retryable && now < deadlineNanos) {
                if (failedOver.stream().noneMatch(e -> e.getModelId().equals(target.modelId()))) {
                    failedOver.add(new RouteExclusion(target.modelId(), "failover: " + message));
                }
                if (index + 1 < routed.targets().size()) {
                    at(index + 1);
                } else {
                    holdThenRetry(now);
                }
            } else {
                complete(result, Outcomes.rejected(routed.request(), target, RejectReason.BACKEND_FAILED,
                        failedOver.isEmpty() ? message : message + " (after failing over from "
                                + failedOver.stream().map(RouteExclusion::getModelId).toList() + ")", clock, now));
            }
        }

        /**
         * Every model failed the request, retryably: it waits, then starts over from the router's choice. Another
         * attempt at a model whose circuits are open waits in that gateway's queue for one to close.
         */
        private void holdThenRetry(long now) {
            long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(HELD_RETRY_MILLIS), deadlineNanos - now);
            try {
                heldRetries.schedule(() -> at(0), waitNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                // The task is closing: the request is in the async operator's state, and a restore re-issues it.
            }
        }

        /** The router's explanation, with the models this request failed over from. */
        private RouteExplanation explanation() {
            if (failedOver.isEmpty()) {
                return routed.explanation();
            }
            List<RouteExclusion> excluded = new ArrayList<>(failedOver);
            Set<String> failedOverIds = failedOver.stream().map(RouteExclusion::getModelId).collect(Collectors.toSet());
            // A model failed over from replaces its "eligible, ranked lower" line.
            routed.explanation().getExcluded().stream().filter(e -> !failedOverIds.contains(e.getModelId()))
                    .forEach(excluded::add);
            return new RouteExplanation("failed over from " + failedOver.get(0).getModelId() + "; "
                    + routed.explanation().getChosenBecause(), excluded);
        }
    }

    private Outcomes.Target target(RoutedRequest.Target model) {
        ModelDeployment deployment = deployments.computeIfAbsent(model.deployment(), Deployments::fromJson);
        return new Outcomes.Target(model.modelId(), protocolName(deployment), deployment.endpoint(), model.license(),
                model.obligations(), deployment.price());
    }

    /**
     * The deployment's shared gateway, acquired on first use; acquiring waits for no server, so this may run on
     * the task thread and on a gateway's callback thread alike. A failed acquisition is remembered for
     * {@value #RETRY_ACQUIRE_MILLIS} ms, so a channel that cannot be built is not tried again for every request.
     */
    private Gateway gateway(RoutedRequest.Target model) {
        String key = model.deployment();
        Gateway existing = gateways.get(key);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the inference function is closed");
            }
            Gateway gateway = gateways.get(key);
            Failure failed = failures.get(key);
            if (gateway == null && failed != null && System.currentTimeMillis() < failed.retryAtMillis()) {
                throw failed.error();
            }
            if (gateway == null) {
                ModelDeployment deployment = deployments.computeIfAbsent(key, Deployments::fromJson);
                List<BackendSpec> specs = deployment.toBackendSpecs(config.job().requestTimeout());
                try {
                    gateway = Gateways.acquire(specs, config.gateway().toOptions());
                } catch (RuntimeException e) {
                    failures.put(key, new Failure(e, System.currentTimeMillis() + RETRY_ACQUIRE_MILLIS));
                    throw e;
                }
                failures.remove(key);
                acquired.add(specs);
                gateways.put(key, gateway);
                GatewayMetrics.registerOnce(getRuntimeContext().getMetricGroup(), model.modelId(),
                        deployment.endpoint(), gateway);
                ModelHealth.shared().watch(model.modelId(), deployment.endpoint(), gateway::isAvailable,
                        gateway::servedContext, gateway::countTokens);
            }
            return gateway;
        }
    }

    /** Why a deployment's gateway could not be had, and when to try again. */
    private record Failure(RuntimeException error, long retryAtMillis) {}

    @Override
    public void timeout(RoutedRequest routed, ResultFuture<InferenceOutcome> result) {
        Duration hold = hold(routed.request().getPriority());
        Outcomes.Clock clock = Outcomes.Clock.startedAgo(hold);
        complete(result, Outcomes.rejected(routed.request(), target(routed.chosen()),
                RejectReason.DEADLINE_EXCEEDED, "no completion within " + hold, clock, System.nanoTime()));
        // After the reject, which stands: the gateway drops the request, or cancels its call at the server.
        inGateway.withdraw(result);
    }

    @Override
    public void close() throws Exception {
        List<List<BackendSpec>> held;
        synchronized (this) {
            closed = true;
            held = acquired == null ? List.of() : List.copyOf(acquired);
        }
        held.forEach(Gateways::release);
        if (cancellations != null) {
            cancellations.close();
        }
        if (heldRetries != null) {
            heldRetries.shutdownNow();
        }
    }

    private static InferenceOutcome cancelled(RoutedRequest routed, Outcomes.Target target, Outcomes.Clock clock,
            long now) {
        return Outcomes.rejected(routed.request(), target, RejectReason.CANCELLED,
                "run '" + routed.request().getRunId() + "' was cancelled", clock, now);
    }

    /** What completions record as the backend: {@code triton}, {@code sglang} or {@code openai}. */
    private static String protocolName(ModelDeployment deployment) {
        return switch (deployment.protocol()) {
            case TRITON -> "triton";
            case SGLANG_SMG, SGLANG_NATIVE -> "sglang";
            case OPENAI -> "openai";
        };
    }

    private static void complete(ResultFuture<InferenceOutcome> result, InferenceOutcome outcome) {
        result.complete(List.of(outcome));
    }
}
