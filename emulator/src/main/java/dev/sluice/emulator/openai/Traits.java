package dev.sluice.emulator.openai;

import java.time.Duration;

/**
 * What a {@link Dialect} does differently from OpenAI, as data the handlers read.
 *
 * @param health the health check's paths and bodies
 * @param errors how error bodies are written
 * @param responseFormat where {@code response_format} carries its JSON schema
 * @param reportsCachedTokens whether {@code usage} has {@code prompt_tokens_details.cached_tokens}
 * @param stopSequenceFinish the finish reason when a stop string ended the answer
 * @param takesPriority whether requests carry an integer {@code priority} (otherwise the field is ignored)
 * @param usageWithStreamOptions whether {@code stream_options} without {@code include_usage} asks for usage
 * @param ssePing how often streams carry an SSE comment ping, or null for never
 * @param timings whether responses carry llama.cpp's {@code timings}
 */
record Traits(Health health, ErrorStyle errors, SchemaPlacement responseFormat, boolean reportsCachedTokens,
        String stopSequenceFinish, boolean takesPriority, boolean usageWithStreamOptions, Duration ssePing,
        boolean timings) {

    /** The wire finish reason for one of {@link dev.sluice.emulator.EmulatedCompletion}'s. */
    String finishReason(String emulated) {
        return emulated.equals("stop_sequence") ? stopSequenceFinish : emulated;
    }
}
