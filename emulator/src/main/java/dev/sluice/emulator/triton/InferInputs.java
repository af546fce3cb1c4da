package dev.sluice.emulator.triton;

import com.google.protobuf.ByteString;
import dev.sluice.backend.triton.TritonTensors;
import dev.sluice.proto.triton.InferTensorContents;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferRequest.InferInputTensor;
import dev.sluice.proto.triton.ModelMetadataResponse.TensorMetadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs of one {@code ModelInferRequest}, checked the way Triton checks them and decoded from
 * {@code raw_input_contents} or the typed {@code contents}. Problems are INVALID_ARGUMENT with Triton's wording.
 */
final class InferInputs {

    private final Map<String, ByteString> raw = new HashMap<>();
    private final Map<String, InferTensorContents> typed = new HashMap<>();
    private final int batchSize;

    private InferInputs(int batchSize) {
        this.batchSize = batchSize;
    }

    static InferInputs parse(ModelInferRequest request, EnsembleSignature signature, int maxBatchSize) {
        String model = request.getModelName();
        boolean useRaw = request.getRawInputContentsCount() > 0;
        if (useRaw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw invalid("expected " + request.getInputsCount() + " raw input contents for model '" + model
                    + "', got " + request.getRawInputContentsCount());
        }
        int batch = -1;
        InferInputs inputs = null;
        for (int i = 0; i < request.getInputsCount(); i++) {
            InferInputTensor input = request.getInputs(i);
            TensorMetadata expected = signature.inputs().get(input.getName());
            if (expected == null) {
                throw invalid("unexpected inference input '" + input.getName() + "' for model '" + model + "'");
            }
            if (!expected.getDatatype().equals(input.getDatatype())) {
                throw invalid("inference input '" + input.getName() + "' data-type is '" + input.getDatatype()
                        + "', but model '" + model + "' expects '" + expected.getDatatype() + "'");
            }
            int rank = expected.getShapeCount() + (maxBatchSize > 0 ? 1 : 0);
            if (input.getShapeCount() != rank) {
                throw invalid("unexpected shape for input '" + input.getName() + "' for model '" + model
                        + "'. Expected rank " + rank + ", got " + input.getShapeList());
            }
            int inputBatch = maxBatchSize > 0 ? (int) input.getShape(0) : 1;
            if (batch == -1) {
                batch = inputBatch;
                if (maxBatchSize > 0 && (batch < 1 || batch > maxBatchSize)) {
                    throw invalid("inference request batch-size must be <= " + maxBatchSize + " for '" + model
                            + "'");
                }
                inputs = new InferInputs(batch);
            } else if (batch != inputBatch) {
                throw invalid("input '" + input.getName() + "' batch size does not match other inputs for '"
                        + model + "'");
            }
            if (useRaw && input.hasContents()) {
                throw invalid("contents field must not be specified when using raw_input_contents for '"
                        + input.getName() + "' for model '" + model + "'");
            }
            if (useRaw) {
                inputs.raw.put(input.getName(), request.getRawInputContents(i));
            } else {
                inputs.typed.put(input.getName(), input.getContents());
            }
        }
        for (String required : signature.required()) {
            if (inputs == null || !inputs.has(required)) {
                throw invalid("expected input '" + required + "' for model '" + model + "'");
            }
        }
        return inputs;
    }

    int batchSize() {
        return batchSize;
    }

    boolean has(String name) {
        return raw.containsKey(name) || typed.containsKey(name);
    }

    List<String> strings(String name) {
        List<String> values = raw.containsKey(name)
                ? decodeOrInvalid(name, () -> TritonTensors.decodeStrings(raw.get(name)))
                : typed.get(name).getBytesContentsList().stream().map(ByteString::toStringUtf8).toList();
        return checkCount(name, values.size(), values);
    }

    /** One value per batch element; absent means {@code absent} for every element. */
    int[] ints(String name, int absent) {
        if (!has(name)) {
            int[] values = new int[batchSize];
            java.util.Arrays.fill(values, absent);
            return values;
        }
        int[] values = raw.containsKey(name)
                ? decodeOrInvalid(name, () -> TritonTensors.decodeInts(raw.get(name)))
                : typed.get(name).getIntContentsList().stream().mapToInt(Integer::intValue).toArray();
        return checkCount(name, values.length, values);
    }

    /** One flag per batch element; absent means false. */
    boolean[] bools(String name) {
        if (!has(name)) {
            return new boolean[batchSize];
        }
        boolean[] values;
        if (raw.containsKey(name)) {
            values = TritonTensors.decodeBools(raw.get(name));
        } else {
            List<Boolean> list = typed.get(name).getBoolContentsList();
            values = new boolean[list.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = list.get(i);
            }
        }
        return checkCount(name, values.length, values);
    }

    private <T> T checkCount(String name, int count, T values) {
        if (count != batchSize) {
            throw invalid("input '" + name + "' holds " + count + " elements, expected " + batchSize);
        }
        return values;
    }

    private static <T> T decodeOrInvalid(String name, java.util.function.Supplier<T> decode) {
        try {
            return decode.get();
        } catch (IllegalArgumentException e) {
            throw invalid("input '" + name + "': " + e.getMessage());
        }
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
