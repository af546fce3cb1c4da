package dev.sluice.backend.sglang;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to call an SGLang server.
 *
 * @param tokenizerDirectory the model's {@code tokenizer.json} and {@code tokenizer_config.json}; null to fetch
 *     them from the worker ({@code GetTokenizer}), or, for the native protocol, to send prompts untemplated
 * @param callTimeout deadline of each call
 */
public record SglangOptions(Path tokenizerDirectory, Duration callTimeout) {

    public SglangOptions {
        Objects.requireNonNull(callTimeout, "callTimeout");
    }

    public static SglangOptions ofDefaults() {
        return new SglangOptions(null, Duration.ofSeconds(60));
    }
}
