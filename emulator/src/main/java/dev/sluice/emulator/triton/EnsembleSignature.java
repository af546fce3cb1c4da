package dev.sluice.emulator.triton;

import dev.sluice.backend.triton.TritonTensors;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedModel.TritonTensorProfile;
import dev.sluice.proto.triton.ModelMetadataResponse;
import dev.sluice.proto.triton.ModelMetadataResponse.TensorMetadata;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors an emulated TensorRT-LLM model declares, with upstream's names, types and dims: a subset of
 * TensorRT-LLM triton_backend/all_models/inflight_batcher_llm/ensemble/config.pbtxt, or of
 * all_models/llmapi/tensorrt_llm/config.pbtxt for the LLM-API model.
 *
 * @param inputs name → datatype and dims without the batch dimension
 * @param outputs likewise
 * @param required inputs a request must carry
 * @param maxTokens the input holding the token limit
 * @param stream the input asking for streamed responses
 * @param excludeInput the input that drops the prompt from the output
 * @param defaultMaxTokens the limit when a request sets none
 */
record EnsembleSignature(
        Map<String, TensorMetadata> inputs, Map<String, TensorMetadata> outputs, Set<String> required,
        String maxTokens, String stream, String excludeInput, int defaultMaxTokens) {

    static final EnsembleSignature ENSEMBLE = new EnsembleSignature(
            tensors("text_input", TritonTensors.BYTES, 1,
                    "max_tokens", TritonTensors.INT32, 1,
                    "temperature", TritonTensors.FP32, 1,
                    "top_p", TritonTensors.FP32, 1,
                    "seed", TritonTensors.UINT64, 1,
                    "stop_words", TritonTensors.BYTES, -1,
                    "stream", TritonTensors.BOOL, 1,
                    "exclude_input_in_output", TritonTensors.BOOL, 1,
                    "return_num_input_tokens", TritonTensors.BOOL, 1,
                    "return_num_output_tokens", TritonTensors.BOOL, 1,
                    "guided_decoding_guide_type", TritonTensors.BYTES, 1,
                    "guided_decoding_guide", TritonTensors.BYTES, 1),
            tensors("text_output", TritonTensors.BYTES, -1,
                    "num_input_tokens", TritonTensors.INT32, 1,
                    "num_output_tokens", TritonTensors.INT32, 1),
            Set.of("text_input", "max_tokens"), "max_tokens", "stream", "exclude_input_in_output", 0);

    static final EnsembleSignature LLM_API = new EnsembleSignature(
            tensors("text_input", TritonTensors.BYTES, -1,
                    "sampling_param_max_tokens", TritonTensors.INT32, 1,
                    "sampling_param_temperature", TritonTensors.FP32, 1,
                    "sampling_param_top_p", TritonTensors.FP32, 1,
                    "sampling_param_seed", TritonTensors.UINT64, 1,
                    "sampling_param_stop", TritonTensors.BYTES, -1,
                    "streaming", TritonTensors.BOOL, 1,
                    "exclude_input_from_output", TritonTensors.BOOL, 1),
            tensors("text_output", TritonTensors.BYTES, -1,
                    "finish_reason", TritonTensors.BYTES, -1),
            Set.of("text_input"), "sampling_param_max_tokens", "streaming", "exclude_input_from_output", 64);

    static EnsembleSignature of(EmulatedModel model) {
        return model.tensors() == TritonTensorProfile.ENSEMBLE ? ENSEMBLE : LLM_API;
    }

    ModelMetadataResponse metadata(String model, int maxBatchSize) {
        return ModelMetadataResponse.newBuilder()
                .setName(model)
                .addVersions("1")
                .setPlatform(this == ENSEMBLE ? "ensemble" : "python")
                .addAllInputs(withBatchDim(inputs.values(), maxBatchSize))
                .addAllOutputs(withBatchDim(outputs.values(), maxBatchSize))
                .build();
    }

    /** With max_batch_size > 0 the full shape is [-1] + dims. */
    private static List<TensorMetadata> withBatchDim(Iterable<TensorMetadata> tensors, int maxBatchSize) {
        List<TensorMetadata> result = new ArrayList<>();
        for (TensorMetadata tensor : tensors) {
            TensorMetadata.Builder builder = TensorMetadata.newBuilder()
                    .setName(tensor.getName()).setDatatype(tensor.getDatatype());
            if (maxBatchSize > 0) {
                builder.addShape(-1);
            }
            result.add(builder.addAllShape(tensor.getShapeList()).build());
        }
        return result;
    }

    private static Map<String, TensorMetadata> tensors(Object... triples) {
        Map<String, TensorMetadata> tensors = new LinkedHashMap<>();
        for (int i = 0; i < triples.length; i += 3) {
            String name = (String) triples[i];
            tensors.put(name, TensorMetadata.newBuilder().setName(name).setDatatype((String) triples[i + 1])
                    .addShape((Integer) triples[i + 2]).build());
        }
        return Collections.unmodifiableMap(tensors);
    }
}
