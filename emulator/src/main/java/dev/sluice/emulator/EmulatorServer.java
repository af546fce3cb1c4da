package dev.sluice.emulator;

import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.metrics.MetricsEndpoint;
import dev.sluice.emulator.metrics.ServerMetrics;
import dev.sluice.emulator.openai.Dialect;
import dev.sluice.emulator.openai.OpenAiEmulator;
import dev.sluice.emulator.sglang.SglangMetrics;
import dev.sluice.emulator.sglang.SglangNativeEmulator;
import dev.sluice.emulator.sglang.SglangSchedulerEmulator;
import dev.sluice.emulator.triton.KServeHttpEndpoint;
import dev.sluice.emulator.triton.TritonEmulatorService;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An emulated inference server on a real socket: Triton's or SGLang's gRPC protocol, gRPC health checks,
 * optional TLS (mutual when a client CA is given) and bearer-token auth, and injectable {@link Faults}; or the
 * OpenAI-compatible HTTP API in a serving framework's {@link Dialect} ({@link OpenAiEmulator}). On request, a
 * metrics port exports the server's own Prometheus metrics ({@link MetricsEndpoint}).
 *
 * <pre>{@code
 * EmulatorServer server = EmulatorServer.builder()
 *         .protocol(BackendSpec.Protocol.TRITON)
 *         .model(EmulatedModel.ensemble("ensemble", new InflightBatchingEngine(CostModel.llama8bH100(), 1), 64))
 *         .start();
 * }</pre>
 */
public final class EmulatorServer implements AutoCloseable {

    /** The gRPC server; null for the OpenAI-compatible API, which {@link #openAi} serves. */
    private final Server server;
    private final OpenAiEmulator openAi;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final KServeHttpEndpoint http;
    /** What the server exports as metrics, in its own names; null for a dialect whose metrics are not emulated. */
    private final ServerMetrics serverMetrics;
    /** The metrics port, when {@link Builder#metrics(int)} asked for one, set by it before handing the server out. */
    private MetricsEndpoint metrics;
    private final ExecutorService executor;
    private final Map<String, EmulatedModel> models;
    private final ModelTokenizer tokenizer;
    private final Faults faults;
    private final String host;

    private EmulatorServer(Builder builder, Server server, OpenAiEmulator openAi, KServeHttpEndpoint http,
            ExecutorService executor, Faults faults, ServerMetrics serverMetrics) {
        this.server = server;
        this.serverMetrics = serverMetrics;
        this.openAi = openAi;
        this.http = http;
        this.executor = executor;
        this.models = Map.copyOf(builder.models);
        this.tokenizer = builder.tokenizer;
        this.faults = faults;
        this.host = builder.host;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Plaintext Triton on {@code host:port} (port 0 picks a free one). */
    public static EmulatorServer startTriton(String host, int port, Map<String, EmulatedModel> models) {
        Builder builder = builder().host(host).port(port);
        models.values().forEach(builder::model);
        return builder.start();
    }

    public int port() {
        return server != null ? server.getPort() : openAi.port();
    }

    /** {@code host:port} for clients. */
    public String endpoint() {
        return host + ":" + port();
    }

    public Map<String, EmulatedModel> models() {
        return models;
    }

    public Faults faults() {
        return faults;
    }

    /** The port of Triton's HTTP/REST endpoint, when {@link Builder#http(int)} asked for one. */
    public int httpPort() {
        if (http == null) {
            throw new IllegalStateException("this emulator serves no HTTP endpoint");
        }
        return http.port();
    }

    /** The port of the metrics endpoint ({@code GET /metrics}), when {@link Builder#metrics(int)} asked for one. */
    public int metricsPort() {
        if (metrics == null) {
            throw new IllegalStateException("this emulator serves no metrics");
        }
        return metrics.port();
    }

    /** OpenAI-compatible only: the request {@code priority} values that arrived, and how often each did. */
    public Map<Integer, Long> openAiPriorities() {
        if (openAi == null) {
            throw new IllegalStateException("only the OpenAI-compatible emulator takes request priorities");
        }
        return openAi.priorityCounts();
    }

    /** Blocks until the server is closed. */
    public void awaitTermination() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (http != null) {
            http.close();
        }
        if (openAi != null) {
            openAi.close();
        } else {
            stopGrpc();
        }
        models.values().forEach(model -> model.engine().close());
        if (executor != null) {
            executor.shutdownNow();
        }
        tokenizer.close();
        closed.countDown();
    }

    private void stopGrpc() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Options of an emulated server; {@link #start()} binds it. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Protocol protocol = Protocol.TRITON;
        private final Map<String, EmulatedModel> models = new LinkedHashMap<>();
        private File certChain;
        private File privateKey;
        private File clientCa;
        private String bearerToken;
        private Integer httpPort;
        private Integer metricsPort;
        private ModelTokenizer tokenizer;
        private Dialect dialect = Dialect.VLLM;

        private Builder() {}

        /** Address to listen on, default 127.0.0.1. */
        public Builder host(String value) {
            this.host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** Port, default 0: a free one. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port out of range: " + value);
            }
            this.port = value;
            return this;
        }

        /** Wire protocol, default Triton. */
        public Builder protocol(Protocol value) {
            this.protocol = Objects.requireNonNull(value, "protocol");
            return this;
        }

        public Builder model(EmulatedModel model) {
            models.put(model.name(), model);
            return this;
        }

        /** Serve TLS with this certificate chain and key (PEM); with {@code clientCa}, require client certificates. */
        public Builder tls(File chain, File key, File clientCa) {
            this.certChain = Objects.requireNonNull(chain, "chain");
            this.privateKey = Objects.requireNonNull(key, "key");
            this.clientCa = clientCa;
            return this;
        }

        /** Also serve Triton's HTTP/REST (KServe v2 JSON) endpoint on {@code port} (0: a free one); Triton only. */
        public Builder http(int port) {
            this.httpPort = port;
            return this;
        }

        /**
         * Also serve the server's own Prometheus metrics on {@code port} (0: a free one), in its names: Triton's and
         * TensorRT-LLM's, SGLang's, or, for {@link Protocol#OPENAI}, vLLM's or SGLang's as the dialect says.
         */
        public Builder metrics(int port) {
            this.metricsPort = port;
            return this;
        }

        /** For {@link Protocol#OPENAI}: which serving framework's dialect to speak, default vLLM's. */
        public Builder dialect(Dialect value) {
            this.dialect = Objects.requireNonNull(value, "dialect");
            return this;
        }

        /** Refuse calls without {@code authorization: Bearer <token>}. */
        public Builder bearerToken(String token) {
            this.bearerToken = token;
            return this;
        }

        public EmulatorServer start() {
            EmulatorServer server = startServing();
            if (metricsPort != null) {
                try {
                    if (server.serverMetrics == null) {
                        throw new IllegalStateException("the emulator has no metrics for the " + dialect + " dialect");
                    }
                    server.metrics = MetricsEndpoint.start(host, metricsPort, server.serverMetrics);
                } catch (RuntimeException e) {
                    server.close();
                    throw e;
                }
            }
            return server;
        }

        private EmulatorServer startServing() {
            if (models.isEmpty()) {
                throw new IllegalStateException("an emulator serves at least one model");
            }
            if (protocol != Protocol.TRITON && models.size() != 1) {
                throw new IllegalStateException("an SGLang worker or OpenAI-compatible server serves exactly one "
                        + "model, got " + models.keySet());
            }
            tokenizer = ModelTokenizer.bundled();
            Faults faults = new Faults(models.values().stream().map(EmulatedModel::engine).toList());
            if (protocol == Protocol.OPENAI) {
                return startOpenAi(faults);
            }
            // Handlers only decode and queue work for the emulated GPU, so a few threads serve any load.
            ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
                Thread thread = new Thread(runnable, "emulator-grpc");
                thread.setDaemon(true);
                return thread;
            });
            NettyServerBuilder netty = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), credentials())
                    .executor(executor)
                    .maxInboundMessageSize(Integer.MAX_VALUE);
            TritonEmulatorService triton = protocol == Protocol.TRITON
                    ? new TritonEmulatorService(models, tokenizer, faults, executor) : null;
            for (BindableService service : services(faults, triton)) {
                List<io.grpc.ServerInterceptor> interceptors = new ArrayList<>();
                interceptors.add(new FaultInterceptor(faults));
                if (bearerToken != null) {
                    // Added last, so it runs first: an unauthenticated call never reaches a fault or a model.
                    interceptors.add(new BearerTokenCheck(bearerToken));
                }
                netty.addService(ServerInterceptors.intercept(service, interceptors));
            }
            Server server = netty.addService(new HealthService()).build();
            try {
                server.start();
            } catch (IOException e) {
                executor.shutdownNow();
                tokenizer.close();
                throw new UncheckedIOException("emulator could not listen on " + host + ":" + port, e);
            }
            KServeHttpEndpoint http = httpPort == null || triton == null ? null
                    : KServeHttpEndpoint.start(host, httpPort, triton, executor);
            ServerMetrics metrics = triton != null ? triton.metrics()
                    : new SglangMetrics(models.values().iterator().next());
            return new EmulatorServer(this, server, null, http, executor, faults, metrics);
        }

        private EmulatorServer startOpenAi(Faults faults) {
            if (clientCa != null) {
                throw new IllegalStateException("the OpenAI-compatible emulator serves TLS without client certificates");
            }
            OpenAiEmulator.Options options = OpenAiEmulator.Options.of(dialect).withAddress(host, port);
            if (bearerToken != null) {
                options = options.withBearerToken(bearerToken);
            }
            if (certChain != null) {
                options = options.withTls(new OpenAiEmulator.TlsFiles(certChain.toPath(), privateKey.toPath()));
            }
            try {
                OpenAiEmulator openAi = OpenAiEmulator.start(models.values().iterator().next(), tokenizer, faults,
                        options);
                return new EmulatorServer(this, null, openAi, null, null, faults, openAi.metrics().orElse(null));
            } catch (RuntimeException e) {
                tokenizer.close();
                throw e;
            }
        }

        private List<BindableService> services(Faults faults, TritonEmulatorService triton) {
            EmulatedModel only = models.values().iterator().next();
            return switch (protocol) {
                case TRITON -> List.of(triton);
                case SGLANG_SMG -> List.of(new SglangSchedulerEmulator(only, tokenizer, faults));
                case SGLANG_NATIVE -> List.of(new SglangNativeEmulator(only, tokenizer, faults));
                case OPENAI -> throw new IllegalStateException("the OpenAI-compatible API is served over HTTP, not gRPC");
            };
        }

        private ServerCredentials credentials() {
            if (certChain == null) {
                return InsecureServerCredentials.create();
            }
            try {
                TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder().keyManager(certChain, privateKey);
                if (clientCa != null) {
                    tls.trustManager(clientCa).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
                }
                return tls.build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the emulator's TLS files", e);
            }
        }
    }
}
