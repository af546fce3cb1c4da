package dev.sluice.backend;

import dev.sluice.backend.openai.OpenAiServer;
import dev.sluice.backend.triton.MetricsPage;
import dev.sluice.backend.triton.TritonModelOptions.Streaming;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything needed to reach one deployed model: protocol, address, security, and the protocol's own settings.
 *
 * @param protocol the wire protocol
 * @param endpoint {@code host:port}
 * @param servedName the model's name on the server (Triton); SGLang workers serve one model
 * @param maxBatchSize most prompts per server call, where the protocol batches
 * @param tritonTensors Triton tensor-name profile: {@code ensemble} or {@code llm-api}
 * @param tritonStreaming when Triton is called over {@code ModelStreamInfer}
 * @param tokenizerDirectory the model's tokenizer files, or null (see {@code SglangOptions})
 * @param security TLS settings
 * @param credentials headers with secrets
 * @param callTimeout deadline of each call
 * @param guidedDecoding Triton: the deployment promises guided decoding, which start-up checks the model's
 *     tensors for; trtllm-serve: it runs a guided-decoding backend
 * @param openAiServer for the OpenAI-compatible protocol, which server speaks it; null for the others
 * @param priorityScheduling the server schedules by request priority, so each request says its own
 * @param priorityLevels Triton with priority scheduling: the levels the deployment uses, interactive work at 1 and
 *     batch work at this one, the lowest; at least 2, and {@value #DEFAULT_PRIORITY_LEVELS} when given as 0. Unused
 *     by the other protocols.
 * @param metricsPage Triton: the server's metrics page ({@code http://host:8002/metrics}) and the model whose
 *     TensorRT-LLM gauges there give the load the gateway reads; null where it reads none. Unused by the other protocols, whose servers report
 *     load over their own protocol or not at all.
 */
public record BackendSpec(
        Protocol protocol, String endpoint, String servedName, int maxBatchSize, String tritonTensors,
        Streaming tritonStreaming, Path tokenizerDirectory, TransportSecurity security, CallCredentials credentials,
        Duration callTimeout, boolean guidedDecoding, OpenAiServer openAiServer, boolean priorityScheduling,
        int priorityLevels, MetricsPage metricsPage) implements Serializable {

    /** Triton's levels when a deployment names none: interactive work at 1, batch work at 2. */
    public static final int DEFAULT_PRIORITY_LEVELS = 2;

    /** The protocols Sluice speaks: three over gRPC, and OpenAI's HTTP API. */
    public enum Protocol {
        TRITON, SGLANG_SMG, SGLANG_NATIVE, OPENAI;

        /** Parses {@code triton}, {@code sglang-smg}, {@code sglang-native} or {@code openai}. */
        public static Protocol parse(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown backend '" + name + "': use triton, sglang-smg, sglang-native or openai");
            }
        }

        /** Whether it runs over a gRPC channel. */
        public boolean overGrpc() {
            return this != OPENAI;
        }
    }

    public BackendSpec {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(endpoint, "endpoint");
        servedName = servedName == null ? "ensemble" : servedName;
        tritonTensors = tritonTensors == null ? "ensemble" : tritonTensors;
        tritonStreaming = tritonStreaming == null ? Streaming.AUTO : tritonStreaming;
        security = security == null ? TransportSecurity.plaintext() : security;
        credentials = credentials == null ? CallCredentials.none() : credentials;
        Objects.requireNonNull(callTimeout, "callTimeout");
        if ((protocol == Protocol.OPENAI) != (openAiServer != null)) {
            throw new IllegalArgumentException("the openai protocol, and only it, names its server");
        }
        priorityLevels = priorityLevels == 0 ? DEFAULT_PRIORITY_LEVELS : priorityLevels;
        if (priorityLevels < 2) {
            throw new IllegalArgumentException("priority levels must be at least 2: " + priorityLevels);
        }
    }

    /**
     * A description whose requests say their priority only where {@code priorityScheduling}, at default levels, and
     * whose server's load is read from no metrics page.
     */
    public BackendSpec(Protocol protocol, String endpoint, String servedName, int maxBatchSize, String tritonTensors,
            Streaming tritonStreaming, Path tokenizerDirectory, TransportSecurity security, CallCredentials credentials,
            Duration callTimeout, boolean guidedDecoding, OpenAiServer openAiServer, boolean priorityScheduling) {
        this(protocol, endpoint, servedName, maxBatchSize, tritonTensors, tritonStreaming, tokenizerDirectory,
                security, credentials, callTimeout, guidedDecoding, openAiServer, priorityScheduling, 0, null);
    }

    /** A plaintext Triton ensemble. */
    public static BackendSpec triton(String endpoint, String servedName, int maxBatchSize, Duration callTimeout) {
        return new BackendSpec(Protocol.TRITON, endpoint, servedName, maxBatchSize, null, null, null, null, null,
                callTimeout, false, null, false, 0, null);
    }
}
