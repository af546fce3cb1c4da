package dev.sluice.emulator.sglang;

import dev.sluice.backend.tokenizer.IncrementalDetokenizer;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.Faults;
import dev.sluice.emulator.InflightBatchingEngine.Sequence;
import dev.sluice.proto.sglang.runtime.AbortRequest;
import dev.sluice.proto.sglang.runtime.AbortResponse;
import dev.sluice.proto.sglang.runtime.GetLoadRequest;
import dev.sluice.proto.sglang.runtime.GetLoadResponse;
import dev.sluice.proto.sglang.runtime.GetModelInfoRequest;
import dev.sluice.proto.sglang.runtime.GetModelInfoResponse;
import dev.sluice.proto.sglang.runtime.HealthCheckRequest;
import dev.sluice.proto.sglang.runtime.HealthCheckResponse;
import dev.sluice.proto.sglang.runtime.SglangServiceGrpc;
import dev.sluice.proto.sglang.runtime.TextGenerateRequest;
import dev.sluice.proto.sglang.runtime.TextGenerateResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SGLang server's native gRPC service: text in, text out. Streams each step's new text; the last response
 * has {@code finished} and carries the counts in {@code meta_info}, the finish reason as SGLang's JSON.
 * Requests are counted per {@code routing_key}, so a test can see affinity.
 */
public final class SglangNativeEmulator extends SglangServiceGrpc.SglangServiceImplBase {

    private static final int DEFAULT_MAX_NEW_TOKENS = 128;

    private final EmulatedModel model;
    private final ModelTokenizer tokenizer;
    private final Faults faults;
    private final Map<String, Sequence> running = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> routingKeys = new ConcurrentHashMap<>();
    private final long startedNanos = System.nanoTime();

    public SglangNativeEmulator(EmulatedModel model, ModelTokenizer tokenizer, Faults faults) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.faults = faults;
    }

    @Override
    public void textGenerate(TextGenerateRequest request, StreamObserver<TextGenerateResponse> out) {
        if (request.getText().isEmpty()) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("text must not be empty").asRuntimeException());
            return;
        }
        if (request.hasRoutingKey()) {
            routingKeys.computeIfAbsent(request.getRoutingKey(), k -> new AtomicLong()).incrementAndGet();
        }
        int maxNew = request.getSamplingParams().hasMaxNewTokens()
                ? request.getSamplingParams().getMaxNewTokens() : DEFAULT_MAX_NEW_TOKENS;
        int[] promptIds = tokenizer.encode(request.getText());
        EmulatedCompletion completion;
        try {
            completion = EmulatedCompletion.of(tokenizer, request.getText(), maxNew,
                    request.getSamplingParams().hasJsonSchema() ? request.getSamplingParams().getJsonSchema() : null);
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("invalid json_schema: " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        int cached = model.prefixCache().lookupAndInsert(promptIds);
        String rid = request.hasRid() ? request.getRid() : UUID.randomUUID().toString();
        IncrementalDetokenizer detokenizer = tokenizer.detokenizer();
        StringBuilder sent = new StringBuilder();
        boolean stream = request.getStream();
        Sequence sequence = model.engine().submit(promptIds.length, cached, completion.tokens(), generated -> {
            if (faults.dropsStreamAt(generated)) {
                Sequence dropped = running.remove(rid);
                if (dropped != null) {
                    dropped.cancel();
                    synchronized (out) {
                        out.onError(Status.UNAVAILABLE.withDescription("emulated fault: stream dropped")
                                .asRuntimeException());
                    }
                }
                return;
            }
            String piece = detokenizer.append(new int[] {completion.outputIds()[generated - 1]});
            if (stream && generated < completion.tokens() && !piece.isEmpty()) {
                sent.append(piece);
                send(out, TextGenerateResponse.newBuilder().setText(piece).build());
            }
        });
        running.put(rid, sequence);
        ((ServerCallStreamObserver<TextGenerateResponse>) out).setOnCancelHandler(() -> {
            running.remove(rid);
            faults.abandon(sequence);
        });
        sequence.done().whenComplete((generation, failure) -> {
            if (running.remove(rid) == null) {
                return;
            }
            String finish = failure == null ? completion.finishReason() : "abort";
            // The last response: what the stream has not sent yet, or everything when not streaming.
            String text = completion.text().substring(Math.min(sent.length(), completion.text().length()));
            send(out, TextGenerateResponse.newBuilder().setText(text).setFinished(true)
                    .putMetaInfo("id", rid)
                    .putMetaInfo("prompt_tokens", String.valueOf(promptIds.length))
                    .putMetaInfo("completion_tokens", String.valueOf(failure == null ? completion.tokens() : 0))
                    .putMetaInfo("cached_tokens", String.valueOf(cached))
                    .putMetaInfo("finish_reason", "{\"type\": \"" + finish + "\"}")
                    .build());
            synchronized (out) {
                out.onCompleted();
            }
        });
    }

    private static void send(StreamObserver<TextGenerateResponse> out, TextGenerateResponse response) {
        synchronized (out) {
            out.onNext(response);
        }
    }

    /** How many requests carried each routing key. */
    public Map<String, Long> routingKeyCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        routingKeys.forEach((key, count) -> counts.put(key, count.get()));
        return counts;
    }

    @Override
    public void abort(AbortRequest request, StreamObserver<AbortResponse> out) {
        Sequence sequence = running.get(request.getRid());
        if (sequence != null) {
            sequence.cancel();
        }
        out.onNext(AbortResponse.newBuilder().setSuccess(sequence != null).build());
        out.onCompleted();
    }

    @Override
    public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
        out.onNext(HealthCheckResponse.newBuilder().setHealthy(true).build());
        out.onCompleted();
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> out) {
        out.onNext(GetModelInfoResponse.newBuilder().setModelPath(model.name())
                .setJsonInfo("{\"model_path\": \"" + model.name() + "\", \"max_context_length\": 32768, "
                        + "\"is_generation\": true}").build());
        out.onCompleted();
    }

    @Override
    public void getLoad(GetLoadRequest request, StreamObserver<GetLoadResponse> out) {
        EmulatedLoad load = EmulatedLoad.of(model, startedNanos);
        out.onNext(GetLoadResponse.newBuilder().setJsonInfo(String.format(java.util.Locale.ROOT,
                "{\"num_running_reqs\": %d, \"num_waiting_reqs\": %d, \"max_running_requests\": %d, "
                        + "\"token_usage\": %.4f, \"gen_throughput\": %.1f, \"cache_hit_rate\": %.4f}",
                load.running(), load.waiting(), load.maxRunning(), load.tokenUsage(), load.throughput(),
                load.cacheHitRate())).build());
        out.onCompleted();
    }
}
