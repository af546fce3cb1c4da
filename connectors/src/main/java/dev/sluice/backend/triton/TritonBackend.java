package dev.sluice.backend.triton;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.CallDeadlines;
import dev.sluice.backend.CallFutures;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcErrors;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
import dev.sluice.backend.TokenEstimate;
import dev.sluice.proto.health.HealthCheckRequest;
import dev.sluice.proto.health.HealthCheckResponse;
import dev.sluice.proto.health.HealthGrpc;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.ModelConfig;
import dev.sluice.proto.triton.ModelConfigRequest;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferResponse;
import dev.sluice.proto.triton.ModelMetadataRequest;
import dev.sluice.proto.triton.ModelReadyRequest;
import dev.sluice.proto.triton.ServerReadyRequest;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TensorRT-LLM model on Triton. Non-decoupled models are called with unary {@code ModelInfer}: one call carries
 * up to {@code maxBatchSize} prompts along the batch dimension, and the outputs are split back per prompt.
 * Decoupled models (and any model when streaming is on) are called with a {@code ModelStreamInfer} stream per
 * request, which measures the time to the first token. Every call's deadline is the time its requests have left.
 * Where the deployment names the server's metrics page, the backend reports the model's load from it
 * ({@link TritonLoadReader}).
 */
public final class TritonBackend implements InferenceBackend, ReportsLoad {

    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub stub;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blockingStub;
    private final HealthGrpc.HealthBlockingStub healthStub;
    private final String endpoint;
    private final TritonModelOptions options;
    private final TritonStream stream;
    /** Null where the deployment names no metrics page. */
    private final TritonLoadReader loadReader;
    private volatile TritonModelSignature signature;
    private volatile boolean streaming;
    private volatile int maxBatch;

    /** The channel stays its creator's to shut down. */
    public TritonBackend(Channel channel, String endpoint, TritonModelOptions options) {
        this.stub = GRPCInferenceServiceGrpc.newFutureStub(channel);
        this.blockingStub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        this.healthStub = HealthGrpc.newBlockingStub(channel);
        this.endpoint = endpoint;
        this.options = options;
        this.stream = new TritonStream(GRPCInferenceServiceGrpc.newStub(channel), endpoint, options);
        // A version is the called model's: the executor's model, where it is another, is read in every version.
        this.loadReader = options.metricsPage() == null ? null
                : new TritonLoadReader(options.metricsPage(),
                        options.metricsPage().model().equals(options.modelName()) ? options.modelVersion() : "");
    }

    @Override
    public void checkReady(Duration deadline) {
        String model = "model '" + options.modelName() + "' at " + endpoint;
        try {
            var blocking = blockingStub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
            var health = healthStub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            if (health.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                throw BackendException.retryable("Triton at " + endpoint + " reports " + health.getStatus(), null);
            }
            if (!blocking.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()) {
                throw BackendException.retryable("Triton at " + endpoint + " is not ready", null);
            }
            ModelReadyRequest ready = ModelReadyRequest.newBuilder()
                    .setName(options.modelName()).setVersion(options.modelVersion()).build();
            if (!blocking.modelReady(ready).getReady()) {
                throw BackendException.retryable(model + " is not ready", null);
            }
            var metadata = blocking.modelMetadata(ModelMetadataRequest.newBuilder()
                    .setName(options.modelName()).setVersion(options.modelVersion()).build());
            signature = TritonModelSignature.check(metadata, options.tensors(), endpoint, options.guidedDecoding());
            var config = blocking.modelConfig(ModelConfigRequest.newBuilder()
                    .setName(options.modelName()).setVersion(options.modelVersion()).build()).getConfig();
            boolean decoupled = config.getModelTransactionPolicy().getDecoupled();
            if (decoupled && options.streaming() == TritonModelOptions.Streaming.OFF) {
                throw BackendException.permanent(model + " is decoupled: Triton refuses ModelInfer for it "
                        + "(UNIMPLEMENTED); set streaming to auto or on", null);
            }
            if (!decoupled && options.streaming() == TritonModelOptions.Streaming.ON) {
                throw BackendException.permanent(model + " is not decoupled: TensorRT-LLM streams only from "
                        + "decoupled models; set streaming to auto or off", null);
            }
            if (options.sendsPriority()) {
                checkPriorityLevels(config, model);
            }
            // The model's own max_batch_size bounds what one call may carry; 0 means no batch dimension.
            maxBatch = config.getMaxBatchSize() > 0 ? Math.min(options.maxBatchSize(), config.getMaxBatchSize()) : 1;
            streaming = options.streaming() == TritonModelOptions.Streaming.ON
                    || (options.streaming() == TritonModelOptions.Streaming.AUTO && decoupled);
        } catch (StatusRuntimeException e) {
            throw GrpcErrors.classify(endpoint, e);
        }
    }

    /**
     * A deployment that sends priorities needs a model whose dynamic batcher has at least as many levels: without
     * them Triton queues every request alike, and batch work's level past the last would fall back to the default
     * level, perhaps the interactive one. An ensemble has no dynamic batcher, and Triton hands its composing models
     * priority 0 (as the TensorRT-LLM backend passes none to its executor), so sending one there changes nothing.
     */
    private void checkPriorityLevels(ModelConfig config, String model) {
        if (config.getPlatform().equals("ensemble")) {
            throw BackendException.permanent(model + " is an ensemble: Triton drops a request's priority inside "
                    + "ensembles, so priority-scheduling cannot take effect there; turn it off", null);
        }
        long levels = config.getDynamicBatching().getPriorityLevels();
        if (Long.compareUnsigned(levels, options.priorityLevels()) < 0) {
            throw BackendException.permanent(model + " has " + Long.toUnsignedString(levels) + " priority levels "
                    + "(dynamic_batching.priority_levels), fewer than the deployment's " + options.priorityLevels()
                    + ": set priority_levels in its config, or priority-levels in the deployment", null);
        }
    }

    @Override
    public CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch) {
        TritonModelSignature checked = signature;
        if (checked == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("checkReady() was not called"));
        }
        if (streaming) {
            return CallFutures.allInOrder(CallFutures.startAll(batch, request -> stream.submit(checked, request)));
        }
        List<List<GenerationRequest>> groups = split(batch, checked.batched() ? maxBatch : 1,
                options.sendsPriority());
        List<CompletableFuture<List<GenerationResult>>> calls = CallFutures.startAll(groups,
                group -> call(checked, group));
        CompletableFuture<List<GenerationResult>> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(done -> inRequestOrder(batch, groups, calls));
        return CallFutures.onCancel(all, () -> calls.forEach(call -> call.cancel(false)));
    }

    /** The answered calls' results in the order of {@code batch}. */
    private static List<GenerationResult> inRequestOrder(List<GenerationRequest> batch,
            List<List<GenerationRequest>> groups, List<CompletableFuture<List<GenerationResult>>> calls) {
        // By identity, not id: the results go back in request order even if two requests share an id.
        Map<GenerationRequest, GenerationResult> byRequest = new IdentityHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            List<GenerationResult> results = calls.get(g).join();
            for (int i = 0; i < results.size(); i++) {
                byRequest.put(groups.get(g).get(i), results.get(i));
            }
        }
        return batch.stream().map(byRequest::get).toList();
    }

    private CompletableFuture<List<GenerationResult>> call(TritonModelSignature checked, List<GenerationRequest> group) {
        String id = group.size() == 1 ? group.get(0).id() : group.get(0).id() + "+" + (group.size() - 1);
        ModelInferRequest request = new InferRequestBuilder(options, checked, group, id).unary(options.tensors());
        ListenableFuture<ModelInferResponse> response = stub
                .withDeadlineAfter(CallDeadlines.remainingNanos(group, options.callTimeout()), TimeUnit.NANOSECONDS)
                .modelInfer(request);
        // The future stub cancels its call only when told it may interrupt: then Triton stops the requests' work.
        CompletableFuture<List<GenerationResult>> results =
                CallFutures.onCancel(new CompletableFuture<>(), () -> response.cancel(true));
        Futures.addCallback(response, new FutureCallback<>() {
            @Override
            public void onSuccess(ModelInferResponse value) {
                try {
                    results.complete(parse(value, group));
                } catch (RuntimeException e) {
                    results.completeExceptionally(BackendException.permanent(
                            endpoint + ": unreadable response: " + e.getMessage(), e));
                }
            }

            @Override
            public void onFailure(Throwable failure) {
                results.completeExceptionally(GrpcErrors.classify(endpoint, failure));
            }
        }, MoreExecutors.directExecutor());
        return results;
    }

    private List<GenerationResult> parse(ModelInferResponse response, List<GenerationRequest> group) {
        TritonTensorNames names = options.tensors();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < response.getOutputsCount(); i++) {
            index.put(response.getOutputs(i).getName(), i);
        }
        Integer textIndex = index.get(names.textOutput());
        if (textIndex == null || textIndex >= response.getRawOutputContentsCount()) {
            throw new IllegalArgumentException("no '" + names.textOutput() + "' output");
        }
        List<String> texts = TritonTensors.decodeStrings(response.getRawOutputContents(textIndex));
        if (texts.size() != group.size()) {
            throw new IllegalArgumentException(texts.size() + " texts for " + group.size() + " requests");
        }
        int[] inputTokens = ints(response, index.get(names.numInputTokens()));
        int[] outputTokens = ints(response, index.get(names.numOutputTokens()));
        Integer finishIndex = index.get(names.finishReason());
        List<String> finishReasons = finishIndex == null || finishIndex >= response.getRawOutputContentsCount()
                ? null : TritonTensors.decodeStrings(response.getRawOutputContents(finishIndex));
        List<GenerationResult> results = new ArrayList<>(group.size());
        for (int i = 0; i < group.size(); i++) {
            GenerationRequest request = group.get(i);
            String text = texts.get(i);
            int prompt = inputTokens != null ? inputTokens[i] : TokenEstimate.of(request.prompt());
            int completion = outputTokens != null ? outputTokens[i] : TokenEstimate.of(text);
            // The ensemble reports no finish reason: a completion that used its whole budget was cut off.
            String finish = finishReasons != null ? finishReasons.get(i)
                    : completion >= request.maxTokens() ? "length" : "stop";
            results.add(new GenerationResult(request.id(), text, finish, prompt, completion, 0, group.size(), 0));
        }
        return results;
    }

    private static int[] ints(ModelInferResponse response, Integer index) {
        return index == null || index >= response.getRawOutputContentsCount()
                ? null
                : TritonTensors.decodeInts(response.getRawOutputContents(index));
    }

    /**
     * Groups requests that can share one call, each group at most {@code maxSize} long, order kept within; with
     * {@code byPriority}, interactive requests and batch work never share a call.
     */
    static List<List<GenerationRequest>> split(List<GenerationRequest> batch, int maxSize, boolean byPriority) {
        Map<InferRequestBuilder.Shape, List<GenerationRequest>> byShape = new LinkedHashMap<>();
        for (GenerationRequest request : batch) {
            byShape.computeIfAbsent(InferRequestBuilder.Shape.of(request, byPriority), k -> new ArrayList<>())
                    .add(request);
        }
        List<List<GenerationRequest>> groups = new ArrayList<>();
        for (List<GenerationRequest> sameShape : byShape.values()) {
            for (int from = 0; from < sameShape.size(); from += maxSize) {
                groups.add(sameShape.subList(from, Math.min(from + maxSize, sameShape.size())));
            }
        }
        return groups;
    }

    @Override
    public boolean reportsLoad() {
        return loadReader != null;
    }

    @Override
    public CompletableFuture<ServerLoad> load() {
        return loadReader != null ? loadReader.load()
                : CompletableFuture.failedFuture(new IllegalStateException("no metrics page is set for " + endpoint));
    }

    @Override
    public int maxBatchPerCall() {
        return streaming ? 1 : Math.max(1, maxBatch);
    }

    @Override
    public String protocol() {
        return "triton";
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        // The channel belongs to whoever created it; each stream ends with its request.
    }
}
