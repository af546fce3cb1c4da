package dev.sluice.emulator;

import java.util.Objects;

/**
 * One model served by the emulator, with the GPU that runs it.
 *
 * @param name the model's name on the server
 * @param engine the simulated GPU
 * @param maxBatchSize Triton's {@code max_batch_size}; 0 means no batch dimension on the wire
 * @param tensors which Triton tensor names the model declares
 * @param decoupled Triton's decoupled transaction policy: only {@code ModelStreamInfer} may call it
 * @param prefixCache the model's prefix cache, or null for none (TensorRT-LLM's default)
 */
public record EmulatedModel(
        String name, InflightBatchingEngine engine, int maxBatchSize, TritonTensorProfile tensors, boolean decoupled,
        PrefixCache prefixCache) {

    /** The tensor-name sets of TensorRT-LLM's Triton models. */
    public enum TritonTensorProfile {
        /** {@code ensemble} / {@code tensorrt_llm_bls}: batch dimension, {@code max_tokens}. */
        ENSEMBLE,
        /** The LLM-API (PyTorch) model: no batch dimension, {@code sampling_param_*} names. */
        LLM_API
    }

    public EmulatedModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(tensors, "tensors");
        if (maxBatchSize < 0) {
            throw new IllegalArgumentException("maxBatchSize must not be negative: " + maxBatchSize);
        }
        if (tensors == TritonTensorProfile.LLM_API && maxBatchSize != 0) {
            throw new IllegalArgumentException("the LLM-API model has no batch dimension (max_batch_size 0)");
        }
    }

    /** A non-decoupled TensorRT-LLM ensemble taking batches of up to {@code maxBatchSize}. */
    public static EmulatedModel ensemble(String name, InflightBatchingEngine engine, int maxBatchSize) {
        return new EmulatedModel(name, engine, maxBatchSize, TritonTensorProfile.ENSEMBLE, false, null);
    }

    /** A model behind SGLang, with its radix cache. */
    public static EmulatedModel sglang(String name, InflightBatchingEngine engine) {
        return new EmulatedModel(name, engine, 0, TritonTensorProfile.LLM_API, false,
                new PrefixCache(16, engine.cost().kvCapacityTokens()));
    }

    public EmulatedModel withDecoupled(boolean value) {
        return new EmulatedModel(name, engine, maxBatchSize, tensors, value, prefixCache);
    }
}
