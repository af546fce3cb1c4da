package dev.sluice.backend.triton;

import dev.sluice.backend.BackendException;
import dev.sluice.proto.triton.ModelMetadataResponse;
import dev.sluice.proto.triton.ModelMetadataResponse.TensorMetadata;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The tensors a model declares, checked once against the names Sluice will send. */
record TritonModelSignature(Map<String, TensorMetadata> inputs, Map<String, TensorMetadata> outputs, boolean batched) {

    /**
     * Reads the metadata; fails with a message naming the model, the tensor and what the model offers. With
     * {@code guided}, the guided-decoding tensors are required too: a deployment that promises guided decoding
     * fails at start-up rather than fail, or answer as free text, every request with a structure.
     */
    static TritonModelSignature check(ModelMetadataResponse metadata, TritonTensorNames names, String endpoint,
            boolean guided) {
        Map<String, TensorMetadata> inputs = byName(metadata.getInputsList());
        Map<String, TensorMetadata> outputs = byName(metadata.getOutputsList());
        String where = "model '" + metadata.getName() + "' at " + endpoint;
        require(inputs, names.textInput(), TritonTensors.BYTES, "input", where);
        require(inputs, names.maxTokens(), TritonTensors.INT32, "input", where);
        require(outputs, names.textOutput(), TritonTensors.BYTES, "output", where);
        if (guided) {
            require(inputs, names.guideType(), TritonTensors.BYTES, "input", where);
            require(inputs, names.guide(), TritonTensors.BYTES, "input", where);
        }
        // With max_batch_size > 0 Triton prefixes every shape with the batch dimension: text_input is [-1, 1].
        boolean batched = inputs.get(names.textInput()).getShapeCount() == 2;
        return new TritonModelSignature(inputs, outputs, batched);
    }

    boolean hasInput(String name, String datatype) {
        return name != null && inputs.containsKey(name) && inputs.get(name).getDatatype().equals(datatype);
    }

    boolean hasOutput(String name, String datatype) {
        return name != null && outputs.containsKey(name) && outputs.get(name).getDatatype().equals(datatype);
    }

    private static void require(
            Map<String, TensorMetadata> tensors, String name, String datatype, String kind, String where) {
        TensorMetadata tensor = tensors.get(name);
        if (tensor == null) {
            throw BackendException.permanent(where + " has no " + kind + " tensor '" + name + "'; it offers "
                    + tensors.keySet() + ": check the model's tensor-name profile", null);
        }
        if (!tensor.getDatatype().equals(datatype)) {
            throw BackendException.permanent(where + ": " + kind + " tensor '" + name + "' is "
                    + tensor.getDatatype() + ", expected " + datatype, null);
        }
    }

    private static Map<String, TensorMetadata> byName(List<TensorMetadata> tensors) {
        return tensors.stream().collect(Collectors.toMap(TensorMetadata::getName, Function.identity(), (a, b) -> a));
    }
}
