package dev.sluice.backend.sglang;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.CallDeadlines;
import dev.sluice.backend.CallFutures;
import dev.sluice.backend.CancellableCall;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcErrors;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.proto.sglang.runtime.AbortRequest;
import dev.sluice.proto.sglang.runtime.GetLoadRequest;
import dev.sluice.proto.sglang.runtime.GetLoadResponse;
import dev.sluice.proto.sglang.runtime.GetModelInfoRequest;
import dev.sluice.proto.sglang.runtime.HealthCheckRequest;
import dev.sluice.proto.sglang.runtime.SamplingParams;
import dev.sluice.proto.sglang.runtime.SglangServiceGrpc;
import dev.sluice.proto.sglang.runtime.TextGenerateRequest;
import dev.sluice.proto.sglang.runtime.TextGenerateResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model behind SGLang's native gRPC service ({@code sglang.runtime.v1.SglangService.TextGenerate}): text in,
 * text out, tokenized by the server. Requests that share a prefix (the same system message, or the same opening
 * of the prompt) carry the same {@code routing_key}, so they land on the data-parallel rank whose radix cache
 * already holds it.
 */
public final class SglangNativeBackend implements InferenceBackend, ReportsLoad {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SglangServiceGrpc.SglangServiceStub stub;
    private final SglangServiceGrpc.SglangServiceBlockingStub blockingStub;
    private final String endpoint;
    private final SglangOptions options;
    private final AtomicLong sequence = new AtomicLong();
    private volatile ModelTokenizer template;
    private volatile int maxContextLength;

    /** The channel stays its creator's to shut down. */
    public SglangNativeBackend(Channel channel, String endpoint, SglangOptions options) {
        this.stub = SglangServiceGrpc.newStub(channel);
        this.blockingStub = SglangServiceGrpc.newBlockingStub(channel);
        this.endpoint = endpoint;
        this.options = options;
    }

    @Override
    public void checkReady(Duration deadline) {
        try {
            var blocking = blockingStub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (!blocking.healthCheck(HealthCheckRequest.getDefaultInstance()).getHealthy()) {
                throw BackendException.retryable("SGLang server at " + endpoint + " is not healthy", null);
            }
            JsonNode info = json(blocking.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getJsonInfo());
            maxContextLength = info.path("max_context_length").asInt(0);
            if (template == null && options.tokenizerDirectory() != null) {
                template = ModelTokenizer.fromDirectory(options.tokenizerDirectory());
            }
        } catch (StatusRuntimeException e) {
            throw GrpcErrors.classify(endpoint, e);
        }
    }

    @Override
    public OptionalInt servedContext() {
        return maxContextLength > 0 ? OptionalInt.of(maxContextLength) : OptionalInt.empty();
    }

    @Override
    public CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch) {
        return CallFutures.allInOrder(CallFutures.startAll(batch, this::call));
    }

    private CompletableFuture<GenerationResult> call(GenerationRequest request) {
        String text = template != null && !request.messages().isEmpty()
                ? template.applyChatTemplate(request.messages()) : request.prompt();
        SamplingParams sampling;
        try {
            sampling = sampling(request);
        } catch (BackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        String rid = request.id() + "#" + sequence.incrementAndGet();
        TextGenerateRequest message = TextGenerateRequest.newBuilder()
                .setText(text)
                .setSamplingParams(sampling)
                .setStream(true)
                .setRid(rid)
                .setRoutingKey(RoutingKey.of(request))
                .build();
        Answer answer = new Answer(request, rid);
        stub.withDeadlineAfter(CallDeadlines.remainingNanos(List.of(request), options.callTimeout()),
                TimeUnit.NANOSECONDS).textGenerate(message, answer);
        // Cancelled, the call ends CANCELLED, and the worker is sent an abort for it, as SGLang's router does.
        return CallFutures.onCancel(answer.result, answer::cancel);
    }

    /**
     * The request's sampling parameters; unset ones take the server's defaults. A grammar fails the request: this
     * protocol's SamplingParams (pinned at sglang cde1809f) has json_schema and regex but no grammar field, and
     * routing sends grammars elsewhere.
     */
    static SamplingParams sampling(GenerationRequest request) {
        SamplingParams.Builder sampling = SamplingParams.newBuilder()
                .setMaxNewTokens(request.maxTokens())
                .addAllStop(request.stop());
        if (request.temperature() != null) {
            sampling.setTemperature(request.temperature());
        }
        if (request.topP() != null) {
            sampling.setTopP(request.topP());
        }
        OutputConstraint constraint = request.constraint();
        if (constraint != null) {
            switch (constraint.kind()) {
                case JSON_SCHEMA -> sampling.setJsonSchema(constraint.text());
                case REGEX -> sampling.setRegex(constraint.text());
                case GRAMMAR -> throw BackendException.permanent(
                        "SGLang's native protocol has no grammar field; route grammars to sglang-smg", null);
            }
        }
        return sampling.build();
    }

    /** Collects one streamed generation. */
    private final class Answer extends CancellableCall<TextGenerateRequest, TextGenerateResponse> {
        final GenerationRequest request;
        final String rid;
        final StringBuilder text = new StringBuilder();
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        long firstTokenAt;

        Answer(GenerationRequest request, String rid) {
            this.request = request;
            this.rid = rid;
        }

        @Override
        public void onNext(TextGenerateResponse response) {
            String piece = response.getText();
            if (!piece.isEmpty() && firstTokenAt == 0) {
                firstTokenAt = System.nanoTime();
            }
            // Pieces are increments; a longer piece that repeats everything so far is cumulative and replaces it.
            if (text.length() > 0 && piece.length() > text.length() && piece.startsWith(text.toString())) {
                text.setLength(0);
            }
            text.append(piece);
            if (response.getFinished()) {
                if (finishReason(response.getMetaInfoMap().get("finish_reason")).equals("abort")) {
                    // Aborted by the server: partial text is no completion.
                    result.completeExceptionally(BackendException.retryable(
                            endpoint + ": the server aborted " + request.id(), null));
                } else {
                    result.complete(finish(response.getMetaInfoMap()));
                }
            }
        }

        private GenerationResult finish(Map<String, String> meta) {
            String finish = finishReason(meta.get("finish_reason"));
            int completionTokens = number(meta.get("completion_tokens"));
            String answer = text.toString();
            int stop = StopStrings.find(answer, request.stop());
            if (stop >= 0) {
                answer = answer.substring(0, stop);
                finish = "stop";
            }
            return new GenerationResult(request.id(), answer, finish, number(meta.get("prompt_tokens")),
                    completionTokens, number(meta.get("cached_tokens")), 1, firstTokenAt);
        }

        @Override
        public void onError(Throwable failure) {
            Status.Code code = Status.fromThrowable(failure).getCode();
            if (code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED) {
                stub.withDeadlineAfter(5, TimeUnit.SECONDS).abort(AbortRequest.newBuilder().setRid(rid).build(),
                        new CallFutures.Unary<>(endpoint));
            }
            result.completeExceptionally(GrpcErrors.classify(endpoint, failure));
        }

        @Override
        public void onCompleted() {
            result.completeExceptionally(BackendException.retryable(
                    endpoint + ": the generation stream of " + request.id() + " ended before finishing", null));
        }
    }

    /** SGLang reports the finish reason as JSON ({@code {"type": "length", "length": 64}}) or a bare word. */
    static String finishReason(String value) {
        if (value == null || value.isBlank()) {
            return "stop";
        }
        if (value.startsWith("{")) {
            return json(value).path("type").asText("stop");
        }
        return value;
    }

    private static int number(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return (int) Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text == null || text.isBlank() ? "{}" : text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    @Override
    public CompletableFuture<ServerLoad> load() {
        CallFutures.Unary<GetLoadResponse> call = new CallFutures.Unary<>(endpoint);
        stub.withDeadlineAfter(Math.min(options.callTimeout().toMillis(), LOAD_TIMEOUT_MILLIS), TimeUnit.MILLISECONDS)
                .getLoad(GetLoadRequest.getDefaultInstance(), call);
        return call.future().thenApply(response -> {
            JsonNode info = json(response.getJsonInfo());
            return new ServerLoad(info.path("num_running_reqs").asInt(), info.path("num_waiting_reqs").asInt(),
                    info.path("max_running_requests").asInt(), info.path("token_usage").asDouble(),
                    info.path("gen_throughput").asDouble(), info.path("cache_hit_rate").asDouble());
        });
    }

    @Override
    public String protocol() {
        return "sglang";
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        if (template != null) {
            template.close();
        }
    }
}
