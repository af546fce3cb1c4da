package dev.sluice.backend.openai;

import java.time.Duration;
import java.util.Objects;

/**
 * What an {@link OpenAiBackend} needs beyond the address.
 *
 * @param servedName the model's name on the server: {@code --served-model-name} for vLLM and SGLang, the
 *     {@code --alias} for llama.cpp, the pulled tag for Ollama
 * @param server which server it is
 * @param callTimeout the longest a request may take, less where its own deadline is nearer
 */
public record OpenAiOptions(String servedName, OpenAiServer server, Duration callTimeout) {

    public OpenAiOptions {
        Objects.requireNonNull(servedName, "servedName");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(callTimeout, "callTimeout");
    }
}
