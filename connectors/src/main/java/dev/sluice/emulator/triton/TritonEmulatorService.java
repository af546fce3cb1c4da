package dev.sluice.emulator.triton;

import dev.sluice.backend.TokenEstimate;
import dev.sluice.backend.triton.TritonTensors;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedText;
import dev.sluice.emulator.InflightBatchingEngine.Generation;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.InferParameter;
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
import dev.sluice.proto.triton.ServerLiveRequest;
import dev.sluice.proto.triton.ServerLiveResponse;
import dev.sluice.proto.triton.ServerReadyRequest;
import dev.sluice.proto.triton.ServerReadyResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Triton's {@code GRPCInferenceService} in front of emulated TensorRT-LLM {@code ensemble} models: readiness,
 * metadata, unary {@code ModelInfer} with the batch dimension, and statistics.
 */
public final class TritonEmulatorService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    /** Request parameters Triton itself reserves; any other {@code triton_} key is an error. */
    private static final Set<String> RESERVED_PARAMETERS = Set.of("triton_enable_empty_final_response");

    private final Map<String, EmulatedModel> models;
    private final Map<String, ModelCounters> counters = new ConcurrentHashMap<>();

    public TritonEmulatorService(Map<String, EmulatedModel> models) {
        this.models = Map.copyOf(models);
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
            reply(response, EnsembleSignature.metadata(model.name(), model.maxBatchSize()));
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
        EmulatedModel model;
        InferInputs inputs;
        List<String> outputs;
        try {
            model = model(request.getModelName());
            checkParameters(request);
            inputs = InferInputs.parse(request, model.maxBatchSize());
            outputs = requestedOutputs(request);
            for (int maxTokens : inputs.ints("max_tokens")) {
                if (maxTokens <= 0) {
                    throw InferInputs.invalid("max_tokens must be positive, got " + maxTokens);
                }
            }
        } catch (StatusRuntimeException e) {
            counters.computeIfAbsent(request.getModelName(), k -> new ModelCounters()).failed(System.nanoTime() - started);
            response.onError(e);
            return;
        }
        List<String> prompts = inputs.strings("text_input");
        int[] maxTokens = inputs.ints("max_tokens");
        boolean[] excludeInput = inputs.bools("exclude_input_in_output");
        List<CompletableFuture<Generation>> generations = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i);
            int outputTokens = Math.min(maxTokens[i], EmulatedText.naturalLength(prompt));
            generations.add(model.engine().submit(TokenEstimate.of(prompt), outputTokens));
        }
        CompletableFuture.allOf(generations.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
            ModelCounters modelCounters = counters.get(model.name());
            if (failure != null) {
                modelCounters.failed(System.nanoTime() - started);
                response.onError(Status.UNAVAILABLE.withDescription(failure.getMessage()).asRuntimeException());
                return;
            }
            List<Generation> results = generations.stream().map(CompletableFuture::join).toList();
            modelCounters.succeeded(results, System.nanoTime() - started);
            response.onNext(buildResponse(request, model, outputs, prompts, excludeInput, results));
            response.onCompleted();
        });
    }

    private ModelInferResponse buildResponse(ModelInferRequest request, EmulatedModel model, List<String> outputs,
            List<String> prompts, boolean[] excludeInput, List<Generation> results) {
        int batch = prompts.size();
        List<String> texts = new ArrayList<>(batch);
        int[] inputTokens = new int[batch];
        int[] outputTokens = new int[batch];
        for (int i = 0; i < batch; i++) {
            String prompt = prompts.get(i);
            String completion = EmulatedText.completion(prompt, results.get(i).outputTokens());
            texts.add(excludeInput[i] ? completion : prompt + completion);
            inputTokens[i] = TokenEstimate.of(prompt);
            outputTokens[i] = results.get(i).outputTokens();
        }
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(model.name()).setModelVersion("1").setId(request.getId());
        for (String name : outputs) {
            InferOutputTensor.Builder tensor = InferOutputTensor.newBuilder().setName(name)
                    .setDatatype(EnsembleSignature.OUTPUTS.get(name).getDatatype());
            if (model.maxBatchSize() > 0) {
                tensor.addShape(batch);
            }
            tensor.addShape(1);
            response.addOutputs(tensor);
            response.addRawOutputContents(switch (name) {
                case "text_output" -> TritonTensors.encodeStrings(texts);
                case "num_input_tokens" -> TritonTensors.encodeInts(inputTokens);
                default -> TritonTensors.encodeInts(outputTokens);
            });
        }
        return response.build();
    }

    /** The outputs asked for, or every output when none is named, as Triton does. */
    private static List<String> requestedOutputs(ModelInferRequest request) {
        if (request.getOutputsCount() == 0) {
            return List.copyOf(EnsembleSignature.OUTPUTS.keySet());
        }
        List<String> names = new ArrayList<>();
        for (InferRequestedOutputTensor output : request.getOutputsList()) {
            if (!EnsembleSignature.OUTPUTS.containsKey(output.getName())) {
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
