package dev.sluice.cli;

import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.openai.OpenAiServer;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedModel.PriorityLevels;
import dev.sluice.emulator.EmulatedModel.TritonTensorProfile;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.emulator.openai.Dialect;
import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice emulator}: a standalone emulated inference server. */
@Command(name = "emulator", mixinStandardHelpOptions = true,
        description = "Serve emulated LLMs over a real inference-server protocol, backed by a model of an "
                + "in-flight batching GPU.")
final class EmulatorCommand implements Callable<Integer> {

    @Option(names = "--protocol", defaultValue = "triton",
            description = "triton, sglang-smg, sglang-native or openai (default: ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = "--dialect", defaultValue = "vllm",
            description = "openai: whose OpenAI-compatible server to play: vllm, sglang, tgi, llama-cpp, ollama, "
                    + "trtllm-serve, or openai (vLLM's) (default: ${DEFAULT-VALUE})")
    String dialect;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8001",
            description = "gRPC port, or openai's HTTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--models", split = ",", defaultValue = "ensemble",
            description = "model names to serve; an SGLang worker or OpenAI-compatible server serves one "
                    + "(default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--http-port", description = "Triton: also serve the HTTP/REST (KServe v2 JSON) endpoint here")
    Integer httpPort;

    @Option(names = "--metrics-port", description = "also serve the server's own Prometheus metrics on GET /metrics "
            + "here, in its names (Triton's port is 8002); openai: the vllm and sglang dialects only")
    Integer metricsPort;

    @Option(names = "--max-batch-size", defaultValue = "64", description = "Triton ensemble max_batch_size")
    int maxBatchSize;

    @Option(names = "--tensors", defaultValue = "ensemble", description = "Triton tensor names: ensemble or llm-api")
    String tensors;

    @Option(names = "--decoupled", description = "Triton: decoupled models, reachable only by ModelStreamInfer")
    boolean decoupled;

    @Option(names = "--priority-levels", description = "Triton llm-api models: a dynamic batcher with this many "
            + "priority levels (default level the last) in the model config; as upstream, a request's priority is "
            + "checked but does not reorder the engine's queue")
    Integer priorityLevels;

    @Option(names = "--profile", defaultValue = "llama-3.1-8b-h100-trtllm-fp8",
            description = "GPU cost profile: llama-3.1-8b-h100-trtllm-fp8 or llama-3.1-70b-4xh100-sglang-fp8 "
                    + "(default: ${DEFAULT-VALUE})")
    String profile;

    @Option(names = "--time-scale", defaultValue = "1",
            description = "run this many times faster than the modelled GPU (default: ${DEFAULT-VALUE})")
    double timeScale;

    @Option(names = "--tls-cert", description = "serve TLS with this PEM certificate chain")
    File tlsCert;

    @Option(names = "--tls-key", description = "the certificate's PKCS#8 PEM key")
    File tlsKey;

    @Option(names = "--tls-client-ca", description = "require client certificates signed by this CA (mutual TLS)")
    File tlsClientCa;

    @Option(names = "--bearer-token-env", description = "require the bearer token held in this environment variable")
    String bearerTokenEnv;

    @Override
    public Integer call() throws Exception {
        Protocol wire = Protocol.parse(protocol);
        CostModel cost = CostModel.named(profile);
        EmulatorServer.Builder builder = EmulatorServer.builder().host(host).port(port).protocol(wire)
                .dialect(Dialect.playing(OpenAiServer.parse(dialect)));
        for (String name : models) {
            InflightBatchingEngine engine = new InflightBatchingEngine(cost, timeScale);
            builder.model(wire != Protocol.TRITON ? EmulatedModel.sglang(name, engine)
                    : tensors.equals("llm-api")
                            ? new EmulatedModel(name, engine, 0, TritonTensorProfile.LLM_API, decoupled, null,
                                    priorityLevels == null ? null : new PriorityLevels(priorityLevels, priorityLevels))
                            : EmulatedModel.ensemble(name, engine, maxBatchSize).withDecoupled(decoupled));
        }
        if (priorityLevels != null && (wire != Protocol.TRITON || !tensors.equals("llm-api"))) {
            throw new IllegalArgumentException("--priority-levels applies to Triton llm-api models only: an ensemble "
                    + "has no dynamic batcher, and Triton drops a request's priority inside it");
        }
        if (httpPort != null) {
            builder.http(httpPort);
        }
        if (metricsPort != null) {
            builder.metrics(metricsPort);
        }
        if (tlsCert != null) {
            builder.tls(tlsCert, tlsKey, tlsClientCa);
        }
        if (bearerTokenEnv != null) {
            builder.bearerToken(System.getenv(bearerTokenEnv));
        }
        try (EmulatorServer server = builder.start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            System.out.printf("emulated %s (%s) at %s serving %s; at most %.0f output tokens/s per model "
                    + "for 128/128-token requests%n", protocol, cost.name(), server.endpoint(), server.models().keySet(),
                    cost.maxOutputTokensPerSecond(128, 128));
            if (metricsPort != null) {
                System.out.printf("metrics at http://%s:%d/metrics%n", host, server.metricsPort());
            }
            server.awaitTermination();
        }
        return 0;
    }
}
