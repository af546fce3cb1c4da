package dev.sluice.backend.triton;

import java.util.Objects;

/**
 * Names of the tensors an LLM model exposes on Triton. TensorRT-LLM's {@code ensemble} and
 * {@code tensorrt_llm_bls} models share one set (TensorRT-LLM triton_backend/all_models/inflight_batcher_llm,
 * ensemble/config.pbtxt); optional tensors are used only when the model's metadata lists them.
 */
public record TritonTensorNames(
        String textInput,
        String maxTokens,
        String temperature,
        String topP,
        String seed,
        String stopWords,
        String excludeInputInOutput,
        String returnNumInputTokens,
        String returnNumOutputTokens,
        String textOutput,
        String numInputTokens,
        String numOutputTokens) {

    public TritonTensorNames {
        Objects.requireNonNull(textInput, "textInput");
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(textOutput, "textOutput");
    }

    /** The classic {@code ensemble} / {@code tensorrt_llm_bls} names. */
    public static TritonTensorNames ensemble() {
        return new TritonTensorNames(
                "text_input", "max_tokens", "temperature", "top_p", "seed", "stop_words",
                "exclude_input_in_output", "return_num_input_tokens", "return_num_output_tokens",
                "text_output", "num_input_tokens", "num_output_tokens");
    }
}
