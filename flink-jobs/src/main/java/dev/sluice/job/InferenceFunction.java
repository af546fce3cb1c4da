package dev.sluice.job;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.Backends;
import dev.sluice.backend.CallCredentials;
import dev.sluice.backend.TransportSecurity;
import dev.sluice.config.ModelDeployment;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Route;
import dev.sluice.routing.StaticRouter;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import io.grpc.ManagedChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Routes each request and calls its model's server without blocking. Flink's async operator bounds the requests
 * in flight and checkpoints them, so a restore re-issues whatever had no answer yet. Every request ends as
 * exactly one outcome: a timeout or a server failure is a reject, never a job failure.
 */
final class InferenceFunction extends RichAsyncFunction<PromptRequest, InferenceOutcome> {

    private final SluiceConfig config;
    private transient StaticRouter router;
    private transient List<ManagedChannel> channels;
    private transient Map<String, InferenceBackend> backends;
    private transient int defaultMaxTokens;

    InferenceFunction(SluiceConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        router = new StaticRouter(config.models(), config.routes());
        defaultMaxTokens = config.limits().toIntakeLimits().defaultMaxTokens();
        backends = new HashMap<>();
        Map<ChannelKey, ManagedChannel> byServer = new HashMap<>();
        for (ModelDeployment model : config.models()) {
            BackendSpec spec = model.toBackendSpec(config.job().requestTimeout());
            // One channel per server and identity, shared by the models it serves.
            ManagedChannel channel = byServer.computeIfAbsent(
                    new ChannelKey(spec.endpoint(), spec.security(), spec.credentials()),
                    key -> GrpcChannels.open(key.endpoint(), key.security(), key.credentials()));
            InferenceBackend backend = Backends.create(spec, channel);
            backend.checkReady();
            backends.put(model.id(), backend);
        }
        channels = List.copyOf(byServer.values());
    }

    @Override
    public void asyncInvoke(PromptRequest request, ResultFuture<InferenceOutcome> result) {
        long acceptedNanos = System.nanoTime();
        long acceptedAt = System.currentTimeMillis();
        Optional<Route> route = router.route(request);
        Outcomes.Clock clock = new Outcomes.Clock(acceptedAt, acceptedNanos, acceptedNanos);
        if (route.isEmpty()) {
            complete(result, Outcomes.rejected(request, null, RejectReason.NO_ELIGIBLE_MODEL,
                    "no route for task '" + request.getTask() + "' and no default route", clock, System.nanoTime()));
            return;
        }
        if (request.getDeadline() != null && request.getDeadline() <= acceptedAt) {
            complete(result, Outcomes.rejected(request, route.get(), RejectReason.DEADLINE_EXCEEDED,
                    "deadline passed before the request could be sent", clock, System.nanoTime()));
            return;
        }
        InferenceBackend backend = backends.get(route.get().model().id());
        Outcomes.Clock sent = new Outcomes.Clock(acceptedAt, acceptedNanos, System.nanoTime());
        backend.generate(List.of(PromptText.toGeneration(request, defaultMaxTokens)))
                .whenComplete((results, failure) -> {
                    long now = System.nanoTime();
                    if (failure == null) {
                        GenerationResult generated = results.get(0);
                        complete(result, Outcomes.completed(request, route.get(), backend, generated, sent, now));
                    } else {
                        complete(result, Outcomes.rejected(request, route.get(), RejectReason.BACKEND_FAILED,
                                describe(failure), sent, now));
                    }
                });
    }

    @Override
    public void timeout(PromptRequest request, ResultFuture<InferenceOutcome> result) {
        Outcomes.Clock clock = Outcomes.Clock.startedAgo(config.job().requestTimeout());
        complete(result, Outcomes.rejected(request, router.route(request).orElse(null),
                RejectReason.DEADLINE_EXCEEDED, "no completion within " + config.job().requestTimeout(), clock,
                System.nanoTime()));
    }

    @Override
    public void close() {
        if (backends != null) {
            backends.values().forEach(InferenceBackend::close);
        }
        if (channels != null) {
            channels.forEach(GrpcChannels::close);
        }
    }

    private record ChannelKey(String endpoint, TransportSecurity security, CallCredentials credentials) {}

    private static void complete(ResultFuture<InferenceOutcome> result, InferenceOutcome outcome) {
        result.complete(List.of(outcome));
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof BackendException ? cause.getMessage() : cause.toString();
    }
}
