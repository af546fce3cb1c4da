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
 * @param priority Triton: the dynamic batcher's priority levels, reported in the model's config, or null for none.
 *     As upstream's LLM-API model, which takes each request from Triton's queue at once and hands it to its engine
 *     without a priority, the engine's queue stays first come first served either way
 */
public record EmulatedModel(
        String name, InflightBatchingEngine engine, int maxBatchSize, TritonTensorProfile tensors, boolean decoupled,
        PrefixCache prefixCache, PriorityLevels priority) {

    /**
     * Triton's {@code dynamic_batching { priority_levels: levels default_priority_level: defaultLevel }}.
     *
     * @param levels how many levels, 1 the highest; at least 1
     * @param defaultLevel the level of a request that names none (or names 0, or one above {@code levels})
     */
    public record PriorityLevels(int levels, int defaultLevel) {

        public PriorityLevels {
            if (levels < 1 || defaultLevel < 1 || defaultLevel > levels) {
                throw new IllegalArgumentException("priority levels need 1 <= default_priority_level <= "
                        + "priority_levels, got " + defaultLevel + " of " + levels);
            }
        }
    }

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
        if (priority != null && tensors == TritonTensorProfile.ENSEMBLE) {
            // An ensemble's config schedules with ensemble_scheduling, not a dynamic batcher, and the requests it
            // makes of its composing models carry priority 0 (triton-protocol.md 4.7).
            throw new IllegalArgumentException("an ensemble has no priority levels: Triton drops a request's "
                    + "priority inside ensembles");
        }
    }

    /** A model without priority levels. */
    public EmulatedModel(String name, InflightBatchingEngine engine, int maxBatchSize, TritonTensorProfile tensors,
            boolean decoupled, PrefixCache prefixCache) {
        this(name, engine, maxBatchSize, tensors, decoupled, prefixCache, null);
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
        return new EmulatedModel(name, engine, maxBatchSize, tensors, value, prefixCache, priority);
    }

    /** This model, reporting {@code value}'s levels in its config (null: no dynamic batcher). */
    public EmulatedModel withPriority(PriorityLevels value) {
        return new EmulatedModel(name, engine, maxBatchSize, tensors, decoupled, prefixCache, value);
    }
}
