package dev.sluice.emulator.triton;

import dev.sluice.backend.triton.TritonTensors;
import dev.sluice.proto.triton.ModelMetadataResponse;
import dev.sluice.proto.triton.ModelMetadataResponse.TensorMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of TensorRT-LLM's {@code ensemble} model as the emulator declares them: a subset of
 * triton_backend/all_models/inflight_batcher_llm/ensemble/config.pbtxt with the same names, types and dims.
 * Only {@code text_input} and {@code max_tokens} are required, as upstream.
 */
final class EnsembleSignature {

    static final Set<String> REQUIRED = Set.of("text_input", "max_tokens");

    /** name → {datatype, dims without the batch dimension} */
    static final Map<String, TensorMetadata> INPUTS = tensors(
            "text_input", TritonTensors.BYTES, 1,
            "max_tokens", TritonTensors.INT32, 1,
            "temperature", TritonTensors.FP32, 1,
            "top_p", TritonTensors.FP32, 1,
            "seed", TritonTensors.UINT64, 1,
            "stop_words", TritonTensors.BYTES, -1,
            "exclude_input_in_output", TritonTensors.BOOL, 1,
            "return_num_input_tokens", TritonTensors.BOOL, 1,
            "return_num_output_tokens", TritonTensors.BOOL, 1);

    static final Map<String, TensorMetadata> OUTPUTS = tensors(
            "text_output", TritonTensors.BYTES, -1,
            "num_input_tokens", TritonTensors.INT32, 1,
            "num_output_tokens", TritonTensors.INT32, 1);

    private EnsembleSignature() {}

    static ModelMetadataResponse metadata(String model, int maxBatchSize) {
        return ModelMetadataResponse.newBuilder()
                .setName(model)
                .addVersions("1")
                .setPlatform("ensemble")
                .addAllInputs(withBatchDim(INPUTS.values(), maxBatchSize))
                .addAllOutputs(withBatchDim(OUTPUTS.values(), maxBatchSize))
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
        Map<String, TensorMetadata> tensors = new java.util.LinkedHashMap<>();
        for (int i = 0; i < triples.length; i += 3) {
            String name = (String) triples[i];
            tensors.put(name, TensorMetadata.newBuilder().setName(name).setDatatype((String) triples[i + 1])
                    .addShape((Integer) triples[i + 2]).build());
        }
        return java.util.Collections.unmodifiableMap(tensors);
    }
}
