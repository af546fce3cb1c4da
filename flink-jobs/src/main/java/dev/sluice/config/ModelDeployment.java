package dev.sluice.config;

import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.CallCredentials;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.TransportSecurity;
import dev.sluice.backend.openai.OpenAiServer;
import dev.sluice.backend.triton.MetricsPage;
import dev.sluice.backend.triton.TritonModelOptions.Streaming;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A model served somewhere Sluice can call it.
 *
 * @param id the catalog id recorded on completions; set from the catalog entry the deployment belongs to
 * @param backend {@code triton} (default), {@code sglang-smg}, {@code sglang-native} or {@code openai}
 * @param endpoint {@code host:port} of the server's gRPC port, or for {@code openai} its HTTP port
 * @param servedName the model's name on a Triton server, e.g. {@code ensemble}; for {@code openai} the name the
 *     server serves it under (required)
 * @param maxBatchSize most prompts per Triton {@code ModelInfer}, within the model's {@code max_batch_size};
 *     default 64
 * @param tritonTensors Triton tensor names: {@code ensemble} (default, also for {@code tensorrt_llm_bls}) or
 *     {@code llm-api}
 * @param streaming Triton: {@code auto} (default: stream exactly when the model is decoupled), {@code on}, {@code off}
 * @param tokenizer folder with the model's {@code tokenizer.json} (and {@code tokenizer_config.json}); for
 *     {@code sglang-smg} optional (fetched from the worker), for {@code sglang-native} it enables chat templates
 * @param tls TLS to the server, or null for plaintext
 * @param auth headers with secrets, or null
 * @param replicas more {@code host:port}s serving the same model with the same settings; the gateway spreads
 *     requests over all of them
 * @param guidedDecoding Triton: the TensorRT-LLM engine was started with a guided-decoding backend (xgrammar), so
 *     its ensemble honours {@code guided_decoding_guide_type}; default false, since without one TensorRT-LLM fails
 *     or ignores such a request. SGLang servers always honour constraints and need no key. The same for
 *     {@code openai} with {@code server: trtllm-serve}.
 * @param server for {@code openai}: which server speaks it, {@code openai} (default), {@code vllm}, {@code sglang},
 *     {@code tgi}, {@code llama-cpp}, {@code ollama} or {@code trtllm-serve} ({@link OpenAiServer})
 * @param priorityScheduling the server schedules by request priority, so each request says its own, interactive work
 *     first; default false. For {@code openai} with {@code vllm} ({@code --scheduling-policy priority}, which vLLM
 *     needs before it takes any priority but the default) or {@code sglang} ({@code --enable-priority-scheduling});
 *     for {@code triton} with {@code triton-tensors: llm-api}, a model whose dynamic batcher has
 *     {@code priority_levels}, sent in the request's {@code priority} parameter: Triton's queue hands level 1 to the
 *     model first, though upstream's LLM-API model then queues every request in its engine without a priority,
 *     first come first served ({@code docs/backends.md}, Request priority on Triton). Not for a Triton ensemble (or
 *     {@code tensorrt_llm_bls}): Triton drops the priority inside ensembles, and TensorRT-LLM's backend passes none
 *     to its executor, so it would change nothing.
 * @param priorityLevels Triton with priority scheduling: the priority levels used, interactive work at level 1 and
 *     batch work at this one, the lowest; at least 2, at most the model's {@code priority_levels} (start-up checks);
 *     default 2. Only there.
 * @param fleet more servers of the same model, each with settings of its own (a mixed fleet: Triton on some GPUs,
 *     vLLM on others); one gateway spreads requests, fails over and keeps prefix affinity across all of them. A
 *     member has no fleet of its own.
 * @param price what its work costs ({@link Price}), the whole fleet's; null where the operator set none, and then
 *     metrics carry no cost
 * @param metricsUrl Triton: the server's metrics page, e.g. {@code http://host:8002/metrics}, from which the gateway
 *     reads the model's load (TensorRT-LLM's {@code nv_trt_llm_request_metrics} under {@code metricsModel}) to
 *     send batch work only while the server has room; default none, and then the gateway goes by its adaptive limit
 *     alone. One server's page, so not with {@code replicas}: give each server its own as a fleet member.
 * @param metricsModel Triton with {@code metricsUrl}: the model whose gauges to read, the one running the
 *     TensorRT-LLM executor; default the served name. For an {@code ensemble} or {@code tensorrt_llm_bls} layout it
 *     is the composing {@code tensorrt_llm} model, which TensorRT-LLM labels its gauges with.
 */
public record ModelDeployment(
        String id, String backend, String endpoint, String servedName, int maxBatchSize, String tritonTensors,
        String streaming, String tokenizer, TlsSettings tls, AuthSettings auth, List<String> replicas,
        boolean guidedDecoding, String server, boolean priorityScheduling, Integer priorityLevels,
        List<ModelDeployment> fleet, Price price, String metricsUrl, String metricsModel) implements Serializable {

    public ModelDeployment {
        backend = backend == null ? "triton" : backend;
        Protocol.parse(backend);
        Objects.requireNonNull(endpoint, "deployment of '" + id + "': endpoint is required");
        boolean openAi = Protocol.parse(backend) == Protocol.OPENAI;
        if (openAi && servedName == null) {
            throw new IllegalArgumentException("deployment of '" + id + "': an openai backend needs served-name, the"
                    + " name its server serves the model under");
        }
        if (!openAi && server != null) {
            throw new IllegalArgumentException("deployment of '" + id + "': server applies only to backend openai");
        }
        server = openAi && server == null ? OpenAiServer.OPENAI.configName() : server;
        if (openAi) {
            OpenAiServer.parse(server);
        }
        servedName = servedName == null ? "ensemble" : servedName;
        maxBatchSize = maxBatchSize == 0 ? 64 : maxBatchSize;
        tritonTensors = tritonTensors == null ? "ensemble" : tritonTensors;
        streaming = streaming == null ? "auto" : streaming;
        streamingMode(streaming);
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
        fleet = fleet == null ? List.of() : List.copyOf(fleet);
        if (fleet.stream().anyMatch(member -> !member.fleet().isEmpty())) {
            throw new IllegalArgumentException("deployment of '" + id + "': a fleet member has no fleet of its own");
        }
        boolean tritonEnsemble = Protocol.parse(backend) == Protocol.TRITON && tritonTensors.equals("ensemble");
        if (priorityScheduling && tritonEnsemble) {
            throw new IllegalArgumentException("deployment of '" + id + "': priority-scheduling cannot take effect on"
                    + " a triton ensemble (or tensorrt_llm_bls): Triton drops a request's priority inside ensembles,"
                    + " and TensorRT-LLM's backend passes none to its executor");
        }
        boolean tritonPlain = Protocol.parse(backend) == Protocol.TRITON && !tritonEnsemble;
        if (priorityScheduling && !tritonPlain && !(openAi && OpenAiServer.parse(server).takesPriority())) {
            throw new IllegalArgumentException("deployment of '" + id + "': priority-scheduling applies only to an"
                    + " openai backend whose server is vllm or sglang, and to a triton llm-api model with priority"
                    + " levels");
        }
        if (priorityLevels != null && !(tritonPlain && priorityScheduling)) {
            throw new IllegalArgumentException("deployment of '" + id + "': priority-levels applies only to a triton"
                    + " deployment with priority-scheduling");
        }
        if (priorityLevels != null && priorityLevels < 2) {
            throw new IllegalArgumentException("deployment of '" + id + "': priority-levels must be at least 2 (level"
                    + " 1 for interactive work, the last for batch work), got " + priorityLevels);
        }
        if (metricsUrl != null) {
            metricsPage(id, backend, metricsUrl, metricsModel == null ? servedName : metricsModel, replicas);
        } else if (metricsModel != null) {
            throw new IllegalArgumentException("deployment of '" + id + "': metrics-model names whose gauges to read"
                    + " on the page metrics-url names, so it goes only with metrics-url");
        }
        boolean trtllmServe = openAi && OpenAiServer.parse(server) == OpenAiServer.TRTLLM_SERVE;
        if (guidedDecoding && !tritonEnsemble && !trtllmServe) {
            // The LLM-API model has no guide tensors, and SGLang needs no key: a key that changes nothing misleads.
            throw new IllegalArgumentException("deployment of '" + id + "': guided-decoding applies only to a triton"
                    + " ensemble (or tensorrt_llm_bls) model and to trtllm-serve");
        }
    }

    /** A plaintext Triton ensemble: the common case, and what tests need. */
    public static ModelDeployment triton(String id, String endpoint, String servedName, int maxBatchSize) {
        return new ModelDeployment(id, "triton", endpoint, servedName, maxBatchSize, null, null, null, null, null,
                null, false, null, false, null, null, null, null, null);
    }

    /**
     * TLS from PEM files.
     *
     * @param caCertificate CA of the server's certificate
     * @param clientCertificate this client's certificate, for mutual TLS
     * @param clientKey its PKCS#8 key
     * @param authority name expected in the server's certificate, when not the endpoint's host
     */
    public record TlsSettings(String caCertificate, String clientCertificate, String clientKey, String authority)
            implements Serializable {}

    /**
     * Secrets for the server, by reference only.
     *
     * @param bearerTokenEnv environment variable holding a bearer token
     * @param bearerTokenFile file holding a bearer token
     * @param headers more headers, name → {@code env:VAR} or {@code file:PATH}
     */
    public record AuthSettings(String bearerTokenEnv, String bearerTokenFile, Map<String, String> headers)
            implements Serializable {}

    public Protocol protocol() {
        return Protocol.parse(backend);
    }

    /** The Triton priority levels a deployment with priority scheduling uses: as set, or 2. */
    public int tritonPriorityLevels() {
        return priorityLevels == null ? BackendSpec.DEFAULT_PRIORITY_LEVELS : priorityLevels;
    }

    /** For {@code openai}, which server speaks it; null for the gRPC protocols. */
    public OpenAiServer openAiServer() {
        return server == null ? null : OpenAiServer.parse(server);
    }

    /** Every replica's backend description: the endpoint first, then the replicas, then each fleet member's. */
    public List<BackendSpec> toBackendSpecs(Duration callTimeout) {
        List<BackendSpec> specs = new ArrayList<>();
        specs.add(toBackendSpec(callTimeout));
        for (String replica : replicas) {
            specs.add(at(replica).toBackendSpec(callTimeout));
        }
        for (ModelDeployment member : fleet) {
            specs.addAll(member.toBackendSpecs(callTimeout));
        }
        return specs;
    }

    /** The backend's full description, each call bounded by {@code callTimeout}. */
    public BackendSpec toBackendSpec(Duration callTimeout) {
        TransportSecurity security = tls == null ? TransportSecurity.plaintext() : new TransportSecurity(
                path(tls.caCertificate()), path(tls.clientCertificate()), path(tls.clientKey()), tls.authority());
        CallCredentials credentials = auth == null ? CallCredentials.none()
                : new CallCredentials(auth.bearerTokenEnv(), path(auth.bearerTokenFile()), auth.headers());
        return new BackendSpec(protocol(), endpoint, servedName, maxBatchSize, tritonTensors, streamingMode(streaming),
                path(tokenizer), security, credentials, callTimeout, guidedDecoding, openAiServer(),
                priorityScheduling, tritonPriorityLevels(),
                metricsUrl == null ? null : metricsPage(id, backend, metricsUrl,
                        metricsModel == null ? servedName : metricsModel, replicas));
    }

    /** The same deployment under the catalog id of its model. */
    public ModelDeployment withId(String modelId) {
        return new ModelDeployment(modelId, backend, endpoint, servedName, maxBatchSize, tritonTensors, streaming,
                tokenizer, tls, auth, replicas, guidedDecoding, server, priorityScheduling, priorityLevels,
                fleet.stream().map(member -> member.withId(modelId)).toList(), price, metricsUrl, metricsModel);
    }

    /** The same deployment on the server at {@code newEndpoint}, whose metrics page, if any, is not known. */
    public ModelDeployment at(String newEndpoint) {
        return new ModelDeployment(id, backend, newEndpoint, servedName, maxBatchSize, tritonTensors, streaming,
                tokenizer, tls, auth, replicas, guidedDecoding, server, priorityScheduling, priorityLevels, fleet,
                price, null, null);
    }

    /**
     * Whether the server honours a constraint of {@code kind}: SGLang's scheduler protocol carries all three, its
     * native protocol json_schema and regex (its pinned SamplingParams has no grammar field), Triton any of
     * them only where the engine has guided decoding, and an OpenAI-compatible server what its kind takes
     * ({@link OpenAiServer#honours}). A fleet honours a kind only where every member does, since any of them may
     * get the request.
     */
    public boolean honours(OutputConstraint.Kind kind) {
        return honoursHere(kind) && fleet.stream().allMatch(member -> member.honours(kind));
    }

    private boolean honoursHere(OutputConstraint.Kind kind) {
        return switch (protocol()) {
            case SGLANG_SMG -> true;
            case SGLANG_NATIVE -> kind != OutputConstraint.Kind.GRAMMAR;
            case TRITON -> guidedDecoding;
            case OPENAI -> openAiServer().honours(kind, guidedDecoding);
        };
    }

    private static Streaming streamingMode(String value) {
        try {
            return Streaming.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("streaming must be auto, on or off: " + value);
        }
    }

    /**
     * {@code metricsUrl} and {@code model} checked: a Triton deployment's, without replicas, a metrics page's address
     * and a Triton model's name.
     */
    private static MetricsPage metricsPage(String id, String backend, String metricsUrl, String model,
            List<String> replicas) {
        if (Protocol.parse(backend) != Protocol.TRITON) {
            throw new IllegalArgumentException("deployment of '" + id + "': metrics-url applies only to a triton"
                    + " deployment; SGLang reports its load over its own protocol");
        }
        if (!replicas.isEmpty()) {
            throw new IllegalArgumentException("deployment of '" + id + "': metrics-url names one server's page, so"
                    + " it cannot go with replicas; give each server its own in a fleet member");
        }
        URI uri;
        try {
            uri = new URI(metricsUrl);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("deployment of '" + id + "': metrics-url is no URL: " + e.getMessage());
        }
        try {
            return new MetricsPage(uri, model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("deployment of '" + id + "': " + e.getMessage());
        }
    }

    private static Path path(String value) {
        return value == null ? null : Path.of(value);
    }
}
