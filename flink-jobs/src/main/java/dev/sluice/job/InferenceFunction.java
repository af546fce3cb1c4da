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

    static final long RETRY_ACQUIRE_MILLIS = 2_000;

    private final SluiceConfig config;
    private transient Map<String, Gateway> gateways;
    private transient Map<String, Failure> failures;
    /** Deployments as parsed from the JSON that routed requests carry, parsed once per distinct deployment. */
    private transient Map<String, ModelDeployment> deployments;
    private transient List<List<BackendSpec>> acquired;
    private transient int defaultMaxTokens;

    InferenceFunction(SluiceConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        defaultMaxTokens = config.limits().toIntakeLimits().defaultMaxTokens();
        gateways = new ConcurrentHashMap<>();
        failures = new ConcurrentHashMap<>();
        deployments = new ConcurrentHashMap<>();
        acquired = new ArrayList<>();
    }

    @Override
    public void asyncInvoke(RoutedRequest routed, ResultFuture<InferenceOutcome> result) {
        PromptRequest request = routed.request();
        Outcomes.Clock clock = Outcomes.Clock.startingNow();
        ModelDeployment deployment = deployments.computeIfAbsent(routed.deployment(), Deployments::fromJson);
        Outcomes.Target target = new Outcomes.Target(routed.modelId(), protocolName(deployment),
                deployment.endpoint());
        if (request.getDeadline() != null && request.getDeadline() <= clock.acceptedAtMillis()) {
            complete(result, Outcomes.rejected(request, target, RejectReason.DEADLINE_EXCEEDED,
                    "deadline passed before the request could be sent", clock, System.nanoTime()));
            return;
        }
        ModelHealth health = ModelHealth.shared();
        health.started(routed.modelId());
        Gateway gateway;
        try {
            gateway = gateway(routed.deployment(), deployment);
        } catch (RuntimeException e) {
            // The server could not be reached or its settings are wrong: this request is rejected, the job goes on.
            health.finished(routed.modelId(), false, !(e instanceof BackendException backendFailure)
                    || backendFailure.isRetryable());
            complete(result, Outcomes.rejected(request, target, RejectReason.BACKEND_FAILED, e.getMessage(), clock,
                    System.nanoTime()));
            return;
        }
        // Past the job's own timeout Flink has rejected the request already: the GPU must not work on it.
        // Clamped in milliseconds first: a producer may set a deadline far off, and nanoseconds would overflow.
        long timeoutMillis = config.job().requestTimeout().toMillis();
        long leftMillis = request.getDeadline() == null ? timeoutMillis
                : Math.min(timeoutMillis, request.getDeadline() - clock.acceptedAtMillis());
        long deadlineNanos = clock.acceptedNanos() + leftMillis * 1_000_000;
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

    /**
     * The deployment's shared gateway, acquired on first use. A failed acquisition is remembered for
     * {@value #RETRY_ACQUIRE_MILLIS} ms, so a server that is down is not dialled again for every request.
     */
    private Gateway gateway(String key, ModelDeployment deployment) {
        Gateway existing = gateways.get(key);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            Gateway gateway = gateways.get(key);
            Failure failed = failures.get(key);
            if (gateway == null && failed != null && System.currentTimeMillis() < failed.retryAtMillis()) {
                throw failed.error();
            }
            if (gateway == null) {
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
            }
            return gateway;
        }
    }

    /** Why a deployment's gateway could not be had, and when to try again. */
    private record Failure(RuntimeException error, long retryAtMillis) {}

    @Override
    public void timeout(RoutedRequest routed, ResultFuture<InferenceOutcome> result) {
        Outcomes.Clock clock = Outcomes.Clock.startedAgo(config.job().requestTimeout());
        ModelDeployment deployment = deployments.computeIfAbsent(routed.deployment(), Deployments::fromJson);
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
