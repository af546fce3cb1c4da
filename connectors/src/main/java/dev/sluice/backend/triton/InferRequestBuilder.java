package dev.sluice.backend.triton;

import com.google.protobuf.ByteString;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferRequest.InferInputTensor;
import dev.sluice.proto.triton.ModelInferRequest.InferRequestedOutputTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one {@code ModelInferRequest} for requests that share their set of sampling tensors (and, where the
 * deployment sends priorities, their priority), every input in {@code raw_input_contents} (the form Triton's own
 * clients send) with the batch dimension first when the model batches: {@code text_input} of {@code [B,1]}.
 */
final class InferRequestBuilder {

    /** Triton's request parameter for the dynamic batcher's level: 1 the highest, 0 the model's default. */
    static final String PRIORITY = "priority";

    private final TritonModelOptions options;
    private final ModelInferRequest.Builder request;
    private final TritonModelSignature signature;
    private final List<GenerationRequest> batch;

    InferRequestBuilder(TritonModelOptions options, TritonModelSignature signature, List<GenerationRequest> batch,
            String id) {
        this.options = options;
        this.signature = signature;
        this.batch = batch;
        this.request = ModelInferRequest.newBuilder()
                .setModelName(options.modelName())
                .setModelVersion(options.modelVersion())
                .setId(id);
    }

    /** A request for {@code ModelInfer}. */
    ModelInferRequest unary(TritonTensorNames names) {
        return build(names);
    }

    /**
     * A request for {@code ModelStreamInfer}: streamed output, and an empty final response asked for so the end
     * is always seen (an ensemble whose last data response already went out ends with a flag-only response,
     * which Triton drops unless asked).
     */
    ModelInferRequest streamed(TritonTensorNames names) {
        flag(names.stream());
        request.putParameters("triton_enable_empty_final_response",
                InferParameter.newBuilder().setBoolParam(true).build());
        return build(names);
    }

    private ModelInferRequest build(TritonTensorNames names) {
        GenerationRequest first = batch.get(0);
        if (options.sendsPriority()) {
            // As Triton's Python client sends it: uint64_param, which the server takes for priority alone.
            request.putParameters(PRIORITY, InferParameter.newBuilder()
                    .setUint64Param(options.priorityLevel(first.interactive())).build());
        }
        input(names.textInput(), TritonTensors.BYTES, 1,
                TritonTensors.encodeStrings(batch.stream().map(GenerationRequest::prompt).toList()));
        input(names.maxTokens(), TritonTensors.INT32, 1,
                TritonTensors.encodeInts(batch.stream().mapToInt(GenerationRequest::maxTokens).toArray()));
        if (first.temperature() != null && signature.hasInput(names.temperature(), TritonTensors.FP32)) {
            input(names.temperature(), TritonTensors.FP32, 1, floats(batch, true));
        }
        if (first.topP() != null && signature.hasInput(names.topP(), TritonTensors.FP32)) {
            input(names.topP(), TritonTensors.FP32, 1, floats(batch, false));
        }
        if (first.seed() != null && signature.hasInput(names.seed(), TritonTensors.UINT64)) {
            input(names.seed(), TritonTensors.UINT64, 1,
                    TritonTensors.encodeLongs(batch.stream().mapToLong(GenerationRequest::seed).toArray()));
        }
        int stopWords = first.stop().size();
        if (stopWords > 0 && signature.hasInput(names.stopWords(), TritonTensors.BYTES)) {
            // [B, n] on the ensemble; the LLM-API model has no batch dimension, so its shape is [n].
            input(names.stopWords(), TritonTensors.BYTES, stopWords, TritonTensors.encodeStrings(
                    batch.stream().flatMap(r -> r.stop().stream()).toList()));
        }
        if (first.constraint() != null) {
            guide(names);
        }
        // The ensemble returns prompt + completion unless told otherwise.
        flag(names.excludeInputInOutput());
        output(names.textOutput());
        if (signature.hasOutput(names.finishReason(), TritonTensors.BYTES)) {
            output(names.finishReason());
        }
        if (signature.hasOutput(names.numInputTokens(), TritonTensors.INT32)) {
            flag(names.returnNumInputTokens());
            output(names.numInputTokens());
        }
        if (signature.hasOutput(names.numOutputTokens(), TritonTensors.INT32)) {
            flag(names.returnNumOutputTokens());
            output(names.numOutputTokens());
        }
        return request.build();
    }

    /**
     * TensorRT-LLM's guided decoding, one guide per request: {@code guided_decoding_guide_type} names the kind as
     * its Triton model maps it ({@code json_schema}, {@code regex}, {@code ebnf_grammar}: triton_backend
     * all_models/inflight_batcher_llm/tensorrt_llm/1/model.py, {@code get_guided_decoding_params_from_request}).
     * Routing sends a structure only to a deployment that promises guided decoding, whose tensors start-up checked;
     * one that comes here anyway, to a model without them, fails the call rather than come back free text.
     */
    private void guide(TritonTensorNames names) {
        if (!signature.hasInput(names.guideType(), TritonTensors.BYTES)
                || !signature.hasInput(names.guide(), TritonTensors.BYTES)) {
            throw BackendException.permanent("model '" + request.getModelName() + "' has no guided-decoding input "
                    + "tensors (guided_decoding_guide_type, guided_decoding_guide) for a request with a structure: "
                    + "check the model's tensors and the deployment's guided-decoding", null);
        }
        input(names.guideType(), TritonTensors.BYTES, 1, TritonTensors.encodeStrings(
                batch.stream().map(r -> guideType(r.constraint().kind())).toList()));
        input(names.guide(), TritonTensors.BYTES, 1, TritonTensors.encodeStrings(
                batch.stream().map(r -> r.constraint().text()).toList()));
    }

    private static String guideType(OutputConstraint.Kind kind) {
        return switch (kind) {
            case JSON_SCHEMA -> "json_schema";
            case REGEX -> "regex";
            case GRAMMAR -> "ebnf_grammar";
        };
    }

    /**
     * Requests whose tensors can travel together: the same sampling tensors present, as many stop words, a guide on
     * each or on none, and, where {@code byPriority} (one {@code priority} parameter covers the whole call), the
     * same priority.
     */
    record Shape(boolean temperature, boolean topP, boolean seed, int stopWords, boolean guided,
            boolean interactive) {
        static Shape of(GenerationRequest request, boolean byPriority) {
            return new Shape(request.temperature() != null, request.topP() != null, request.seed() != null,
                    request.stop().size(), request.constraint() != null, byPriority && request.interactive());
        }
    }

    private void flag(String name) {
        if (signature.hasInput(name, TritonTensors.BOOL)) {
            boolean[] values = new boolean[batch.size()];
            Arrays.fill(values, true);
            input(name, TritonTensors.BOOL, 1, TritonTensors.encodeBools(values));
        }
    }

    private void input(String name, String datatype, int width, ByteString raw) {
        List<Long> shape = new ArrayList<>(2);
        if (signature.batched()) {
            shape.add((long) batch.size());
        }
        shape.add((long) width);
        request.addInputs(InferInputTensor.newBuilder().setName(name).setDatatype(datatype).addAllShape(shape));
        request.addRawInputContents(raw);
    }

    private void output(String name) {
        request.addOutputs(InferRequestedOutputTensor.newBuilder().setName(name));
    }

    private static ByteString floats(List<GenerationRequest> batch, boolean temperature) {
        float[] values = new float[batch.size()];
        for (int i = 0; i < values.length; i++) {
            GenerationRequest r = batch.get(i);
            values[i] = temperature ? r.temperature() : r.topP();
        }
        return TritonTensors.encodeFloats(values);
    }
}
