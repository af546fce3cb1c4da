package dev.sluice.backend.sglang;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.proto.sglang.scheduler.SamplingParams;
import java.io.IOException;

/**
 * SGLang's semantic sampling defaults, overlaid with the worker's own ({@code default_sampling_params_json}
 * of {@code GetModelInfo}) and then the request's. Every numeric field is set: the scheduler protocol cannot
 * tell an unset field from a zero (smg proto header; smg PR #1107).
 */
record SamplingDefaults(float temperature, float topP, int topK, float minP, float repetitionPenalty,
        float frequencyPenalty, float presencePenalty) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** temperature 1.0, top_p 1.0, top_k -1 (whole vocabulary), min_p 0, repetition_penalty 1.0. */
    static SamplingDefaults semantic() {
        return new SamplingDefaults(1.0f, 1.0f, -1, 0f, 1.0f, 0f, 0f);
    }

    /** The worker's defaults, where it states them. */
    static SamplingDefaults fromWorker(String json) {
        SamplingDefaults base = semantic();
        if (json == null || json.isBlank()) {
            return base;
        }
        try {
            JsonNode node = JSON.readTree(json);
            return new SamplingDefaults(
                    (float) node.path("temperature").asDouble(base.temperature),
                    (float) node.path("top_p").asDouble(base.topP),
                    node.path("top_k").asInt(base.topK),
                    (float) node.path("min_p").asDouble(base.minP),
                    (float) node.path("repetition_penalty").asDouble(base.repetitionPenalty),
                    (float) node.path("frequency_penalty").asDouble(base.frequencyPenalty),
                    (float) node.path("presence_penalty").asDouble(base.presencePenalty));
        } catch (IOException e) {
            return base;
        }
    }

    SamplingParams toProto(GenerationRequest request) {
        SamplingParams.Builder params = SamplingParams.newBuilder()
                .setTemperature(request.temperature() != null ? request.temperature() : temperature)
                .setTopP(request.topP() != null ? request.topP() : topP)
                .setTopK(topK)
                .setMinP(minP)
                .setRepetitionPenalty(repetitionPenalty)
                .setFrequencyPenalty(frequencyPenalty)
                .setPresencePenalty(presencePenalty)
                .setMaxNewTokens(request.maxTokens())
                .addAllStop(request.stop())
                .setSkipSpecialTokens(true)
                .setSpacesBetweenSpecialTokens(true)
                .setN(1);
        OutputConstraint constraint = request.constraint();
        if (constraint != null) {
            // One field of the proto's oneof constraint, the kind's own.
            switch (constraint.kind()) {
                case JSON_SCHEMA -> params.setJsonSchema(constraint.text());
                case REGEX -> params.setRegex(constraint.text());
                case GRAMMAR -> params.setEbnfGrammar(constraint.text());
            }
        }
        return params.build();
    }
}
