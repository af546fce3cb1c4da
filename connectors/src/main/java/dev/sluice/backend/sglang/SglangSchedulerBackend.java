package dev.sluice.backend.sglang;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.CallDeadlines;
import dev.sluice.backend.CallFutures;
import dev.sluice.backend.CancellableCall;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcErrors;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
import dev.sluice.backend.tokenizer.IncrementalDetokenizer;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.proto.sglang.common.GetTokenizerChunk;
import dev.sluice.proto.sglang.common.GetTokenizerRequest;
import dev.sluice.proto.sglang.scheduler.AbortRequest;
import dev.sluice.proto.sglang.scheduler.GenerateComplete;
import dev.sluice.proto.sglang.scheduler.GenerateRequest;
import dev.sluice.proto.sglang.scheduler.GenerateResponse;
import dev.sluice.proto.sglang.scheduler.GetLoadsRequest;
import dev.sluice.proto.sglang.scheduler.GetLoadsResponse;
import dev.sluice.proto.sglang.scheduler.GetModelInfoRequest;
import dev.sluice.proto.sglang.scheduler.GetModelInfoResponse;
import dev.sluice.proto.sglang.scheduler.HealthCheckRequest;
import dev.sluice.proto.sglang.scheduler.SglangSchedulerGrpc;
import dev.sluice.proto.sglang.scheduler.TokenizedInput;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model behind an SGLang worker in {@code --smg-grpc-mode} ({@code sglang.grpc.scheduler.SglangScheduler}):
 * the worker takes token ids only, so this backend tokenizes with the model's own tokenizer (configured, or
 * fetched with {@code GetTokenizer}), applies its chat template, sets every sampling parameter, streams the
 * output ids and detokenizes them as they come. A call past its deadline, or cancelled because its request was
 * abandoned, is aborted on the worker with {@code Abort}, as SGLang's router does.
 */
public final class SglangSchedulerBackend implements InferenceBackend, ReportsLoad {

    private final SglangSchedulerGrpc.SglangSchedulerStub stub;
    private final SglangSchedulerGrpc.SglangSchedulerBlockingStub blockingStub;
    private final String endpoint;
    private final SglangOptions options;
    private final AtomicLong sequence = new AtomicLong();
    private volatile ModelTokenizer tokenizer;
    private volatile SamplingDefaults defaults;
    private volatile int maxContextLength;

    /** The channel stays its creator's to shut down. */
    public SglangSchedulerBackend(Channel channel, String endpoint, SglangOptions options) {
        this.stub = SglangSchedulerGrpc.newStub(channel);
        this.blockingStub = SglangSchedulerGrpc.newBlockingStub(channel);
        this.endpoint = endpoint;
        this.options = options;
    }

    @Override
    public void checkReady(Duration deadline) {
        try {
            var blocking = blockingStub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
            var health = blocking.healthCheck(HealthCheckRequest.getDefaultInstance());
            if (!health.getHealthy()) {
                throw BackendException.retryable("SGLang worker at " + endpoint + " is not healthy: "
                        + health.getMessage(), null);
            }
            GetModelInfoResponse info = blocking.getModelInfo(GetModelInfoRequest.getDefaultInstance());
            defaults = SamplingDefaults.fromWorker(info.getDefaultSamplingParamsJson());
            maxContextLength = info.getMaxContextLength();
            if (tokenizer == null) {
                tokenizer = options.tokenizerDirectory() != null
                        ? ModelTokenizer.fromDirectory(options.tokenizerDirectory())
                        : ModelTokenizer.fromZip(fetchTokenizer(blocking));
            }
        } catch (StatusRuntimeException e) {
            throw GrpcErrors.classify(endpoint, e);
        }
    }

    /** The worker's tokenizer archive, checked against the SHA-256 on its last chunk. */
    private byte[] fetchTokenizer(SglangSchedulerGrpc.SglangSchedulerBlockingStub blocking) {
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        String sha256 = "";
        for (Iterator<GetTokenizerChunk> chunks = blocking.getTokenizer(GetTokenizerRequest.getDefaultInstance());
                chunks.hasNext(); ) {
            GetTokenizerChunk chunk = chunks.next();
            archive.writeBytes(chunk.getData().toByteArray());
            if (!chunk.getSha256().isEmpty()) {
                sha256 = chunk.getSha256();
            }
        }
        byte[] bytes = archive.toByteArray();
        if (!sha256.isEmpty() && !sha256.equalsIgnoreCase(sha256(bytes))) {
            throw BackendException.permanent(endpoint + ": the tokenizer archive does not match its SHA-256", null);
        }
        return bytes;
    }

    @Override
    public OptionalInt countTokens(String text) {
        ModelTokenizer held = tokenizer;
        return held == null ? OptionalInt.empty() : OptionalInt.of(held.encode(text).length);
    }

    @Override
    public OptionalInt servedContext() {
        return maxContextLength > 0 ? OptionalInt.of(maxContextLength) : OptionalInt.empty();
    }

    @Override
    public CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch) {
        if (tokenizer == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("checkReady() was not called"));
        }
        return CallFutures.allInOrder(CallFutures.startAll(batch, this::call));
    }

    private CompletableFuture<GenerationResult> call(GenerationRequest request) {
        String text = request.messages().isEmpty() ? request.prompt() : tokenizer.applyChatTemplate(request.messages());
        String id = request.id() + "#" + sequence.incrementAndGet();
        GenerateRequest message = GenerateRequest.newBuilder()
                .setRequestId(id)
                .setTokenized(TokenizedInput.newBuilder().setOriginalText(text)
                        .addAllInputIds(java.util.Arrays.stream(tokenizer.encode(text)).boxed().toList()))
                .setSamplingParams(defaults.toProto(request))
                .setStream(true)
                .build();
        Answer answer = new Answer(request, id);
        stub.withDeadlineAfter(CallDeadlines.remainingNanos(List.of(request), options.callTimeout()),
                TimeUnit.NANOSECONDS).generate(message, answer);
        // Cancelled, the call ends CANCELLED, and the worker is sent an abort for it, as SGLang's router does.
        return CallFutures.onCancel(answer.result, answer::cancel);
    }

    /** Collects one streamed generation. */
    private final class Answer extends CancellableCall<GenerateRequest, GenerateResponse> {
        final GenerationRequest request;
        final String id;
        final IncrementalDetokenizer detokenizer = tokenizer.detokenizer();
        final StringBuilder streamed = new StringBuilder();
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        long firstTokenAt;
        boolean stopSent;

        Answer(GenerationRequest request, String id) {
            this.request = request;
            this.id = id;
        }

        @Override
        public void onNext(GenerateResponse response) {
            if (response.hasChunk()) {
                int[] ids = response.getChunk().getTokenIdsList().stream().mapToInt(Integer::intValue).toArray();
                if (ids.length > 0 && firstTokenAt == 0) {
                    firstTokenAt = System.nanoTime();
                }
                // Only requests with stop strings read the text as it streams, and pay for decoding it chunk by
                // chunk and for the search; the worker is told to stop once. The rest are decoded once, at the end.
                if (request.stop().isEmpty()) {
                    detokenizer.add(ids);
                    return;
                }
                streamed.append(detokenizer.append(ids));
                if (!stopSent && StopStrings.find(streamed.toString(), request.stop()) >= 0) {
                    stopSent = true;
                    abort("stop string");
                }
            } else if (response.hasComplete()) {
                GenerateComplete complete = response.getComplete();
                if (complete.getFinishReason().equals("abort") && StopStrings.find(detokenizer.text(),
                        request.stop()) < 0) {
                    // Aborted by the server, not ended by a stop string of ours: partial text is no completion.
                    result.completeExceptionally(BackendException.retryable(
                            endpoint + ": the worker aborted " + request.id(), null));
                } else {
                    result.complete(finish(complete));
                }
            }
        }

        private GenerationResult finish(GenerateComplete complete) {
            int[] ids = complete.getOutputIdsList().stream().mapToInt(Integer::intValue).toArray();
            String text = ids.length > 0 ? tokenizer.decode(ids) : detokenizer.text();
            String finishReason = complete.getFinishReason();
            int stop = StopStrings.find(text, request.stop());
            if (stop >= 0) {
                text = text.substring(0, stop);
                finishReason = "stop";
            }
            return new GenerationResult(request.id(), text, finishReason, complete.getPromptTokens(),
                    Math.max(complete.getCompletionTokens(), ids.length), complete.getCachedTokens(), 1,
                    firstTokenAt);
        }

        @Override
        public void onError(Throwable failure) {
            Status.Code code = Status.fromThrowable(failure).getCode();
            if (code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED) {
                abort(code.name().toLowerCase());
            }
            result.completeExceptionally(GrpcErrors.classify(endpoint, failure));
        }

        @Override
        public void onCompleted() {
            // A stream that ends without its complete message did not finish: never report partial text as done.
            result.completeExceptionally(BackendException.retryable(
                    endpoint + ": the generation stream of " + request.id() + " ended before completing", null));
        }

        /** Frees the worker's slot; best effort, the worker may have finished already. */
        private void abort(String reason) {
            stub.withDeadlineAfter(5, TimeUnit.SECONDS).abort(
                    AbortRequest.newBuilder().setRequestId(id).setReason(reason).build(),
                    new CallFutures.Unary<>(endpoint));
        }
    }

    @Override
    public CompletableFuture<ServerLoad> load() {
        CallFutures.Unary<GetLoadsResponse> call = new CallFutures.Unary<>(endpoint);
        stub.withDeadlineAfter(Math.min(options.callTimeout().toMillis(), LOAD_TIMEOUT_MILLIS), TimeUnit.MILLISECONDS)
                .getLoads(GetLoadsRequest.newBuilder().addInclude("core").build(), call);
        return call.future().thenApply(response -> {
            var all = response.getAggregate();
            double hitRate = response.getLoadsList().stream().mapToDouble(l -> l.getCacheHitRate()).average()
                    .orElse(0);
            int maxRunning = response.getLoadsList().stream().mapToInt(l -> l.getMaxRunningRequests()).sum();
            return new ServerLoad(all.getTotalRunningReqs(), all.getTotalWaitingReqs(), maxRunning,
                    all.getAvgTokenUsage(), all.getAvgThroughput(), hitRate);
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
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
