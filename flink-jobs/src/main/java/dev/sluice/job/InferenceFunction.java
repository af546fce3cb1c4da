package dev.sluice.job;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.BackendSpec;
import dev.sluice.config.ModelDeployment;
import dev.sluice.config.SluiceConfig;
import dev.sluice.gateway.DeadlineExceededException;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.Gateways;
import dev.sluice.prompt.PromptText;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Hands each request to its deployment's gateway, which batches, prioritises and paces requests for the server
 * (one gateway per deployment per TaskManager, shared by the subtasks). Gateways are acquired when a deployment is
 * first routed to, so a catalog reloaded with a new deployment needs no restart. Flink's async operator bounds the
 * requests in flight and checkpoints them, so a restore re-issues whatever had no answer yet. Every request ends
 * as exactly one outcome: a timeout, a missed deadline or a server failure is a reject, never a job failure.
 */
final class InferenceFunction extends RichAsyncFunction<RoutedRequest, InferenceOutcome> {

    private final SluiceConfig config;
    private transient Map<String, Gateway> gateways;
    private transient List<BackendSpec> acquired;
    private transient int defaultMaxTokens;

    InferenceFunction(SluiceConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        defaultMaxTokens = config.limits().toIntakeLimits().defaultMaxTokens();
        gateways = new ConcurrentHashMap<>();
        acquired = new ArrayList<>();
    }

    @Override
    public void asyncInvoke(RoutedRequest routed, ResultFuture<InferenceOutcome> result) {
        PromptRequest request = routed.request();
        Outcomes.Clock clock = Outcomes.Clock.startingNow();
        ModelDeployment deployment = Deployments.fromJson(routed.deployment());
        Outcomes.Target target = new Outcomes.Target(routed.modelId(), protocolName(deployment),
                deployment.endpoint());
        if (request.getDeadline() != null && request.getDeadline() <= clock.acceptedAtMillis()) {
            complete(result, Outcomes.rejected(request, target, RejectReason.DEADLINE_EXCEEDED,
                    "deadline passed before the request could be sent", clock, System.nanoTime()));
            return;
        }
        Gateway gateway;
        try {
            gateway = gateway(routed.deployment(), deployment);
        } catch (BackendException e) {
            complete(result, Outcomes.rejected(request, target, RejectReason.BACKEND_FAILED, e.getMessage(), clock,
                    System.nanoTime()));
            return;
        }
        long deadlineNanos = request.getDeadline() == null ? 0
                : clock.acceptedNanos() + (request.getDeadline() - clock.acceptedAtMillis()) * 1_000_000;
        ModelHealth health = ModelHealth.shared();
        health.started(routed.modelId());
        boolean interactive = request.getPriority() == Priority.INTERACTIVE;
        gateway.submit(PromptText.toGeneration(request, defaultMaxTokens), interactive, deadlineNanos).whenComplete((answer, failure) -> {
                    long now = System.nanoTime();
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    health.finished(routed.modelId(), failure == null,
                            cause instanceof BackendException backendFailure && backendFailure.isRetryable());
                    if (failure == null) {
                        complete(result, Outcomes.completed(request, target, routed.explanation(), answer.result(),
                                answer.batchSize(), clock.sentAt(answer.sentNanos()), now));
                    } else if (cause instanceof DeadlineExceededException) {
                        complete(result, Outcomes.rejected(request, target, RejectReason.DEADLINE_EXCEEDED,
                                cause.getMessage(), clock, now));
                    } else {
                        complete(result, Outcomes.rejected(request, target, RejectReason.BACKEND_FAILED,
                                cause instanceof BackendException ? cause.getMessage() : cause.toString(), clock, now));
                    }
                });
    }

    /** The deployment's shared gateway, acquired on first use; a failure is retried on the next request. */
    private Gateway gateway(String key, ModelDeployment deployment) {
        Gateway existing = gateways.get(key);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            Gateway gateway = gateways.get(key);
            if (gateway == null) {
                BackendSpec spec = deployment.toBackendSpec(config.job().requestTimeout());
                gateway = Gateways.acquire(spec, config.gateway().toOptions());
                acquired.add(spec);
                gateways.put(key, gateway);
            }
            return gateway;
        }
    }

    @Override
    public void timeout(RoutedRequest routed, ResultFuture<InferenceOutcome> result) {
        Outcomes.Clock clock = Outcomes.Clock.startedAgo(config.job().requestTimeout());
        ModelDeployment deployment = Deployments.fromJson(routed.deployment());
        complete(result, Outcomes.rejected(routed.request(),
                new Outcomes.Target(routed.modelId(), protocolName(deployment), deployment.endpoint()),
                RejectReason.DEADLINE_EXCEEDED, "no completion within " + config.job().requestTimeout(), clock,
                System.nanoTime()));
    }

    @Override
    public void close() {
        if (acquired != null) {
            acquired.forEach(Gateways::release);
        }
    }

    /** What completions record as the backend: {@code triton} or {@code sglang}. */
    private static String protocolName(ModelDeployment deployment) {
        return deployment.protocol() == BackendSpec.Protocol.TRITON ? "triton" : "sglang";
    }

    private static void complete(ResultFuture<InferenceOutcome> result, InferenceOutcome outcome) {
        result.complete(List.of(outcome));
    }
}
