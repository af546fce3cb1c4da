package dev.sluice.backend.triton;

import java.io.Serializable;
import java.util.Objects;

/**
 * Names of the tensors an LLM model exposes on Triton. Optional tensors (any name here may be null) are used
 * only when the model's metadata lists them with the expected type. The guided-decoding pair is TensorRT-LLM's
 * ({@code guided_decoding_guide_type}, {@code guided_decoding_guide}); the LLM-API model has none.
 */
public record TritonTensorNames(
        String textInput,
        String maxTokens,
        String temperature,
        String topP,
        String seed,
        String stopWords,
        String stream,
        String excludeInputInOutput,
        String returnNumInputTokens,
        String returnNumOutputTokens,
        String textOutput,
        String numInputTokens,
        String numOutputTokens,
        String finishReason,
        String guideType,
        String guide) implements Serializable {

    public TritonTensorNames {
        Objects.requireNonNull(textInput, "textInput");
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(textOutput, "textOutput");
    }

    /**
     * TensorRT-LLM's classic {@code ensemble} and {@code tensorrt_llm_bls} models
     * (triton_backend/all_models/inflight_batcher_llm/ensemble/config.pbtxt).
     */
    public static TritonTensorNames ensemble() {
        return new TritonTensorNames(
                "text_input", "max_tokens", "temperature", "top_p", "seed", "stop_words", "stream",
                "exclude_input_in_output", "return_num_input_tokens", "return_num_output_tokens",
                "text_output", "num_input_tokens", "num_output_tokens", null, "guided_decoding_guide_type",
                "guided_decoding_guide");
    }

    /** TensorRT-LLM's LLM-API model (triton_backend/all_models/llmapi/tensorrt_llm/config.pbtxt). */
    public static TritonTensorNames llmApi() {
        return new TritonTensorNames(
                "text_input", "sampling_param_max_tokens", "sampling_param_temperature", "sampling_param_top_p",
                "sampling_param_seed", "sampling_param_stop", "streaming", "exclude_input_from_output", null, null,
                "text_output", null, null, "finish_reason", null, null);
    }

    /** {@code ensemble} (also for {@code tensorrt_llm_bls}) or {@code llm-api}. */
    public static TritonTensorNames named(String profile) {
        return switch (profile) {
            case "ensemble", "tensorrt_llm_bls" -> ensemble();
            case "llm-api" -> llmApi();
            default -> throw new IllegalArgumentException(
                    "unknown Triton tensor profile '" + profile + "': use ensemble or llm-api");
        };
    }
}
