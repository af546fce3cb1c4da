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
 * @param sendPriority whether each request says its priority (interactive first): the server runs priority
 *     scheduling, which vLLM needs before it accepts any priority but the default
 */
public record OpenAiOptions(String servedName, OpenAiServer server, Duration callTimeout, boolean sendPriority) {

    public OpenAiOptions {
        Objects.requireNonNull(servedName, "servedName");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (sendPriority && !server.takesPriority()) {
            throw new IllegalArgumentException(server.configName() + " takes no request priority");
        }
    }
}
