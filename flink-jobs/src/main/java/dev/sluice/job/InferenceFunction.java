package dev.sluice.job;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.Backends;
import dev.sluice.backend.CallCredentials;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.TransportSecurity;
import dev.sluice.config.ModelDeployment;
import dev.sluice.config.SluiceConfig;
import dev.sluice.prompt.PromptText;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Calls the chosen model's server without blocking. Backends are made when a deployment is first routed to, so
 * a catalog reloaded with a new deployment needs no restart; one channel serves each server and identity. Flink's
 * async operator bounds the requests in flight and checkpoints them, so a restore re-issues whatever had no
 * answer yet. Every request ends as exactly one outcome: a timeout or a server failure is a reject, never a job
 * failure.
 */
final class InferenceFunction extends RichAsyncFunction<RoutedRequest, InferenceOutcome> {

    private final SluiceConfig config;
    private transient Map<String, InferenceBackend> backends;
    private transient Map<ChannelKey, ManagedChannel> channels;
    private transient int defaultMaxTokens;

    InferenceFunction(SluiceConfig config) {
        this.config = config;
    }

    private record ChannelKey(String endpoint, TransportSecurity security, CallCredentials credentials) {}

    @Override
    public void open(OpenContext context) {
        defaultMaxTokens = config.limits().toIntakeLimits().defaultMaxTokens();
        backends = new ConcurrentHashMap<>();
        channels = new ConcurrentHashMap<>();
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
        InferenceBackend backend;
        try {
            backend = backend(routed.deployment(), deployment);
        } catch (BackendException e) {
            complete(result, Outcomes.rejected(request, target, RejectReason.BACKEND_FAILED, e.getMessage(), clock,
                    System.nanoTime()));
            return;
        }
        ModelHealth health = ModelHealth.shared();
        health.started(routed.modelId());
        Outcomes.Clock sent = clock.sentNow();
        backend.generate(List.of(PromptText.toGeneration(request, defaultMaxTokens)))
                .whenComplete((results, failure) -> {
                    long now = System.nanoTime();
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    health.finished(routed.modelId(), failure == null,
                            cause instanceof BackendException backendFailure && backendFailure.isRetryable());
                    if (failure == null) {
                        complete(result, Outcomes.completed(request, target, routed.explanation(), results.get(0),
                                sent, now));
                    } else {
                        complete(result, Outcomes.rejected(request, target, RejectReason.BACKEND_FAILED,
                                cause instanceof BackendException ? cause.getMessage() : cause.toString(), sent, now));
                    }
                });
    }

    /** The backend of a deployment, made and checked on first use. */
    private InferenceBackend backend(String key, ModelDeployment deployment) {
        InferenceBackend existing = backends.get(key);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            InferenceBackend backend = backends.get(key);
            if (backend == null) {
                BackendSpec spec = deployment.toBackendSpec(config.job().requestTimeout());
                ManagedChannel channel = channels.computeIfAbsent(
                        new ChannelKey(spec.endpoint(), spec.security(), spec.credentials()),
                        k -> GrpcChannels.open(k.endpoint(), k.security(), k.credentials()));
                backend = Backends.create(spec, channel);
                // Blocks this one request's thread once per deployment; a failure is retried on the next request.
                backend.checkReady();
                backends.put(key, backend);
            }
            return backend;
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
        if (backends != null) {
            backends.values().forEach(InferenceBackend::close);
        }
        if (channels != null) {
            channels.values().forEach(GrpcChannels::close);
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
