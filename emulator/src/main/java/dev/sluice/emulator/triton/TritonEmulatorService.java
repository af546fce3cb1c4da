package dev.sluice.emulator.triton;

import com.google.protobuf.ByteString;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.backend.triton.TritonTensors;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.Faults;
import dev.sluice.emulator.InflightBatchingEngine.Generation;
import dev.sluice.emulator.InflightBatchingEngine.Sequence;
import dev.sluice.emulator.metrics.ServerMetrics;
import dev.sluice.emulator.triton.ModelCounters.FailureReason;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.ModelConfig;
import dev.sluice.proto.triton.ModelConfigRequest;
import dev.sluice.proto.triton.ModelConfigResponse;
import dev.sluice.proto.triton.ModelDynamicBatching;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferRequest.InferRequestedOutputTensor;
import dev.sluice.proto.triton.ModelInferResponse;
import dev.sluice.proto.triton.ModelInferResponse.InferOutputTensor;
import dev.sluice.proto.triton.ModelMetadataRequest;
import dev.sluice.proto.triton.ModelMetadataResponse;
import dev.sluice.proto.triton.ModelReadyRequest;
import dev.sluice.proto.triton.ModelReadyResponse;
import dev.sluice.proto.triton.ModelStatisticsRequest;
import dev.sluice.proto.triton.ModelStatisticsResponse;
import dev.sluice.proto.triton.ModelStreamInferResponse;
import dev.sluice.proto.triton.ModelTransactionPolicy;
import dev.sluice.proto.triton.ServerLiveRequest;
import dev.sluice.proto.triton.ServerLiveResponse;
import dev.sluice.proto.triton.ServerReadyRequest;
import dev.sluice.proto.triton.ServerReadyResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Triton's {@code GRPCInferenceService} in front of emulated TensorRT-LLM models: readiness, metadata, config,
 * unary {@code ModelInfer} with the batch dimension, {@code ModelStreamInfer} for decoupled models, statistics.
 */
public final class TritonEmulatorService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    /** The one version of every emulated model, as responses, statistics and metrics name it. */
    static final String MODEL_VERSION = "1";

    /** TensorRT-LLM engines are built with a maximum input length; longer prompts are refused per request. */
    static final int MAX_INPUT_TOKENS = 8192;

    /** TensorRT-LLM's guided-decoding inputs: the kind of guide, and the guide. */
    private static final String GUIDE_TYPE = "guided_decoding_guide_type";
    private static final String GUIDE = "guided_decoding_guide";
    /** Request parameters Triton itself reserves; any other {@code triton_} key is an error. */
    private static final Set<String> RESERVED_PARAMETERS = Set.of("triton_enable_empty_final_response");
    private static final String PRIORITY = "priority";

    private final Map<String, EmulatedModel> models;
    private final ModelTokenizer tokenizer;
    private final Faults faults;
    private final Executor streams;
    private final Map<String, ModelCounters> counters = new ConcurrentHashMap<>();

    /** @param streams where each stream's responses are built and sent, in order, apart from the GPU's scheduler */
    public TritonEmulatorService(Map<String, EmulatedModel> models, ModelTokenizer tokenizer, Faults faults,
            Executor streams) {
        this.streams = streams;
        this.models = Map.copyOf(models);
        this.tokenizer = tokenizer;
        this.faults = faults;
        models.keySet().forEach(name -> counters.put(name, new ModelCounters()));
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
        reply(response, ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
        reply(response, ServerReadyResponse.newBuilder().setReady(true).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
        reply(response, ModelReadyResponse.newBuilder().setReady(models.containsKey(request.getName())).build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
        try {
            EmulatedModel model = model(request.getName());
            reply(response, EnsembleSignature.of(model).metadata(model.name(), model.maxBatchSize()));
        } catch (StatusRuntimeException e) {
            response.onError(e);
        }
    }

    @Override
    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> response) {
        try {
            EmulatedModel model = model(request.getName());
            ModelConfig.Builder config = ModelConfig.newBuilder()
                    .setName(model.name())
                    .setPlatform(EnsembleSignature.of(model) == EnsembleSignature.ENSEMBLE ? "ensemble" : "")
                    .setBackend(EnsembleSignature.of(model) == EnsembleSignature.ENSEMBLE ? "" : "python")
                    .setMaxBatchSize(model.maxBatchSize())
                    .setModelTransactionPolicy(ModelTransactionPolicy.newBuilder().setDecoupled(model.decoupled()));
            if (model.priority() != null) {
                config.setDynamicBatching(ModelDynamicBatching.newBuilder()
                        .setPriorityLevels(model.priority().levels())
                        .setDefaultPriorityLevel(model.priority().defaultLevel()));
            }
            reply(response, ModelConfigResponse.newBuilder().setConfig(config).build());
        } catch (StatusRuntimeException e) {
            response.onError(e);
        }
    }

    @Override
    public void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> response) {
        ModelStatisticsResponse.Builder stats = ModelStatisticsResponse.newBuilder();
        for (String name : models.keySet()) {
            if (request.getName().isEmpty() || request.getName().equals(name)) {
                stats.addModelStats(counters.get(name).toProto(name));
            }
        }
        if (!request.getName().isEmpty() && stats.getModelStatsCount() == 0) {
            response.onError(unknownModel(request.getName()));
            return;
        }
        reply(response, stats.build());
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
        long started = System.nanoTime();
        Parsed parsed;
        try {
            if (model(request.getModelName()).decoupled()) {
                throw Status.UNIMPLEMENTED.withDescription(
                        "ModelInfer RPC doesn't support models with decoupled transaction policy").asRuntimeException();
            }
            parsed = parse(request);
        } catch (StatusRuntimeException e) {
            counters.computeIfAbsent(request.getModelName(), k -> new ModelCounters())
                    .failed(FailureReason.OTHER, System.nanoTime() - started);
            response.onError(e);
            return;
        }
        List<Sequence> sequences = new ArrayList<>();
        for (int i = 0; i < parsed.prompts.size(); i++) {
            sequences.add(submit(parsed, i, generated -> { }));
        }
        // A cancelled call (or one past its deadline) is given up on by its client: Triton stops its requests. The
        // KServe HTTP endpoint calls in with an observer of its own, no gRPC call.
        if (response instanceof ServerCallStreamObserver<ModelInferResponse> call) {
            call.setOnCancelHandler(() -> sequences.forEach(faults::abandon));
        }
        List<CompletableFuture<Generation>> generations = sequences.stream().map(Sequence::done).toList();
        CompletableFuture.allOf(generations.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
            ModelCounters modelCounters = counters.get(parsed.model.name());
            if (failure != null) {
                // Cancelled: the client gave up (or its deadline passed) and Triton stopped the request.
                boolean cancelled = failure.getCause() instanceof CancellationException;
                modelCounters.failed(cancelled ? FailureReason.CANCELED : FailureReason.BACKEND,
                        System.nanoTime() - started);
                response.onError(Status.UNAVAILABLE.withDescription(failure.getMessage()).asRuntimeException());
                return;
            }
            modelCounters.succeeded(generations.stream().map(CompletableFuture::join).toList());
            response.onNext(fullResponse(request, parsed));
            response.onCompleted();
        });
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> responses) {
        return new StreamInferSession(this, responses, faults, streams);
    }

    /** A request checked against its model, with its completions decided. */
    record Parsed(EmulatedModel model, EnsembleSignature signature, List<String> outputs, List<String> prompts,
            boolean[] excludeInput, boolean[] stream, List<EmulatedCompletion> completions) {}

    Parsed parse(ModelInferRequest request) {
        EmulatedModel model = model(request.getModelName());
        checkParameters(request);
        checkPriority(request);
        EnsembleSignature signature = EnsembleSignature.of(model);
        InferInputs inputs = InferInputs.parse(request, signature, model.maxBatchSize());
        List<String> outputs = requestedOutputs(request, signature);
        List<String> prompts = inputs.strings("text_input");
        int[] maxTokens = inputs.ints(signature.maxTokens(), signature.defaultMaxTokens());
        List<String> schemas = jsonSchemas(inputs, prompts.size());
        List<EmulatedCompletion> completions = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            if (maxTokens[i] <= 0) {
                throw InferInputs.invalid(signature.maxTokens() + " must be positive, got " + maxTokens[i]);
            }
            int promptTokens = tokenizer.encode(prompts.get(i)).length;
            if (promptTokens > MAX_INPUT_TOKENS) {
                throw InferInputs.invalid("Prompt length (" + promptTokens + ") exceeds maximum input length ("
                        + MAX_INPUT_TOKENS + ").");
            }
            try {
                completions.add(EmulatedCompletion.of(tokenizer, prompts.get(i), maxTokens[i], schemas.get(i)));
            } catch (IllegalArgumentException e) {
                throw InferInputs.invalid("invalid guided_decoding_guide: " + e.getMessage());
            }
        }
        return new Parsed(model, signature, outputs, prompts, inputs.bools(signature.excludeInput()),
                inputs.bools(signature.stream()), completions);
    }

    /**
     * Each element's JSON schema, where {@code guided_decoding_guide_type} says {@code json_schema}, else null: the
     * other guide types are accepted and not followed.
     */
    private static List<String> jsonSchemas(InferInputs inputs, int batch) {
        List<String> schemas = new ArrayList<>(Collections.nCopies(batch, null));
        if (inputs.has(GUIDE_TYPE) && inputs.has(GUIDE)) {
            List<String> types = inputs.strings(GUIDE_TYPE);
            List<String> guides = inputs.strings(GUIDE);
            for (int i = 0; i < batch; i++) {
                schemas.set(i, types.get(i).equals("json_schema") ? guides.get(i) : null);
            }
        }
        return schemas;
    }

    Sequence submit(Parsed parsed, int index, dev.sluice.emulator.InflightBatchingEngine.TokenListener listener) {
        int[] promptIds = tokenizer.encode(parsed.prompts.get(index));
        int cached = parsed.model.prefixCache() == null ? 0 : parsed.model.prefixCache().lookupAndInsert(promptIds);
        return parsed.model.engine().submit(promptIds.length, cached, parsed.completions.get(index).tokens(),
                listener);
    }

    /** The whole answer of a request in one response. */
    ModelInferResponse fullResponse(ModelInferRequest request, Parsed parsed) {
        int batch = parsed.prompts.size();
        List<String> texts = new ArrayList<>(batch);
        List<String> finishReasons = new ArrayList<>(batch);
        int[] inputTokens = new int[batch];
        int[] outputTokens = new int[batch];
        for (int i = 0; i < batch; i++) {
            EmulatedCompletion completion = parsed.completions.get(i);
            String prompt = parsed.prompts.get(i);
            texts.add(parsed.excludeInput[i] ? completion.text() : prompt + completion.text());
            finishReasons.add(completion.finishReason());
            inputTokens[i] = tokenizer.encode(prompt).length;
            outputTokens[i] = completion.tokens();
        }
        ModelInferResponse.Builder response = header(request, parsed.model);
        for (String name : parsed.outputs) {
            addOutput(response, parsed, name, switch (name) {
                case "text_output" -> TritonTensors.encodeStrings(texts);
                case "finish_reason" -> TritonTensors.encodeStrings(finishReasons);
                case "num_input_tokens" -> TritonTensors.encodeInts(inputTokens);
                default -> TritonTensors.encodeInts(outputTokens);
            });
        }
        return response.build();
    }

    ModelInferResponse.Builder header(ModelInferRequest request, EmulatedModel model) {
        return ModelInferResponse.newBuilder().setModelName(model.name()).setModelVersion(MODEL_VERSION)
                .setId(request.getId());
    }

    /** Adds one output of a single-element batch, or of the whole batch. */
    void addOutput(ModelInferResponse.Builder response, Parsed parsed, String name, ByteString raw) {
        InferOutputTensor.Builder tensor = InferOutputTensor.newBuilder().setName(name)
                .setDatatype(parsed.signature.outputs().get(name).getDatatype());
        if (parsed.model.maxBatchSize() > 0) {
            tensor.addShape(parsed.prompts.size());
        }
        tensor.addShape(1);
        response.addOutputs(tensor);
        response.addRawOutputContents(raw);
    }

    /** What Triton exports on its metrics port about these models. */
    public ServerMetrics metrics() {
        return new TritonMetrics(this);
    }

    ModelCounters counters(String model) {
        return counters.get(model);
    }

    Map<String, EmulatedModel> models() {
        return models;
    }

    /** The outputs asked for, or every output when none is named, as Triton does. */
    private static List<String> requestedOutputs(ModelInferRequest request, EnsembleSignature signature) {
        if (request.getOutputsCount() == 0) {
            return List.copyOf(signature.outputs().keySet());
        }
        List<String> names = new ArrayList<>();
        for (InferRequestedOutputTensor output : request.getOutputsList()) {
            if (!signature.outputs().containsKey(output.getName())) {
                throw InferInputs.invalid("unexpected inference output '" + output.getName() + "' for model '"
                        + request.getModelName() + "'");
            }
            names.add(output.getName());
        }
        return names;
    }

    private static void checkParameters(ModelInferRequest request) {
        for (Map.Entry<String, InferParameter> parameter : request.getParametersMap().entrySet()) {
            if (parameter.getKey().startsWith("triton_") && !RESERVED_PARAMETERS.contains(parameter.getKey())) {
                throw InferInputs.invalid("parameter keys starting with 'triton_' are reserved for Triton usage "
                        + "and should not be specified: '" + parameter.getKey() + "'");
            }
        }
    }

    /**
     * Refuses a {@code priority} Triton's gRPC handler refuses ({@code infer_handler.cc}
     * {@code SetInferenceRequestMetadata}): anything but {@code uint64_param}, or {@code int64_param} not below 0,
     * whether or not the model has priority levels. An accepted priority changes nothing here: on upstream's models
     * it orders at most the hand-off from Triton's queue to the model, whose engine queues the request without it.
     */
    private static void checkPriority(ModelInferRequest request) {
        InferParameter parameter = request.getParametersMap().get(PRIORITY);
        if (parameter == null) {
            return;
        }
        switch (parameter.getParameterChoiceCase()) {
            case UINT64_PARAM -> { }
            case INT64_PARAM -> {
                if (parameter.getInt64Param() < 0) {
                    throw InferInputs.invalid("invalid value for 'priority', expected value >= 0.");
                }
            }
            default -> throw InferInputs.invalid(
                    "invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
        }
    }

    private EmulatedModel model(String name) {
        EmulatedModel model = models.get(name);
        if (model == null) {
            throw unknownModel(name);
        }
        return model;
    }

    private static StatusRuntimeException unknownModel(String name) {
        return Status.NOT_FOUND.withDescription("Request for unknown model: '" + name + "' is not found")
                .asRuntimeException();
    }

    private static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }
}
