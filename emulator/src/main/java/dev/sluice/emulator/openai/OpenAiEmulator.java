package dev.sluice.emulator.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.backend.PemTls;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.Faults;
import dev.sluice.emulator.metrics.ServerMetrics;
import dev.sluice.emulator.openai.CompletionRequest.Kind;
import dev.sluice.emulator.openai.Health.Body;
import dev.sluice.emulator.sglang.SglangMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;

/**
 * An OpenAI-compatible HTTP/1.1 server in front of one emulated model, in the {@link Dialect} of a serving
 * framework: {@code POST /v1/chat/completions} and {@code /v1/completions} (whole or streamed as server-sent
 * events), {@code GET /v1/models}, and the dialect's health check. Optional TLS and bearer-token auth (health
 * stays open, as the servers keep it); {@link Faults} become HTTP errors: an outage 503 on every route, an
 * overloaded server 429 with {@code Retry-After}.
 *
 * <pre>{@code
 * try (OpenAiEmulator server = OpenAiEmulator.start(model, tokenizer, faults, Options.of(Dialect.VLLM))) {
 *     OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl().toString()).apiKey("x").build();
 * }
 * }</pre>
 *
 * <p>The caller owns the model's engine and the tokenizer; {@link #close()} stops only the server.
 */
public final class OpenAiEmulator implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Handlers only parse and queue work for the emulated GPU, so a few threads serve any load. */
    private static final int HANDLER_THREADS = 4;
    /** The context the emulated model is served with, as the SGLang emulators report theirs. */
    static final int SERVED_CONTEXT = 32768;

    /**
     * A certificate chain and its private key, PEM (the key PKCS#8).
     *
     * @param certificateChain the server's certificate chain
     * @param privateKey its key
     */
    public record TlsFiles(Path certificateChain, Path privateKey) {
        public TlsFiles {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /**
     * How to serve.
     *
     * @param host address to listen on
     * @param port port, 0 for a free one
     * @param dialect the server to play
     * @param bearerToken the token {@code /v1} requests must bring as {@code Authorization: Bearer}, or null
     * @param tls HTTPS with these files, or null for plain HTTP
     */
    public record Options(String host, int port, Dialect dialect, String bearerToken, TlsFiles tls) {
        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(dialect, "dialect");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        /** Plain HTTP on a free port of 127.0.0.1, no auth. */
        public static Options of(Dialect dialect) {
            return new Options("127.0.0.1", 0, dialect, null, null);
        }

        public Options withAddress(String newHost, int newPort) {
            return new Options(newHost, newPort, dialect, bearerToken, tls);
        }

        public Options withBearerToken(String token) {
            return new Options(host, port, dialect, token, tls);
        }

        public Options withTls(TlsFiles files) {
            return new Options(host, port, dialect, bearerToken, files);
        }
    }

    private final HttpServer server;
    private final Options options;
    private final Serving serving;
    private final ExecutorService handlers;
    private final long created = Instant.now().getEpochSecond();
    private final ConcurrentMap<Integer, LongAdder> priorities = new ConcurrentHashMap<>();

    private OpenAiEmulator(HttpServer server, Options options, Serving serving, ExecutorService handlers) {
        this.server = server;
        this.options = options;
        this.serving = serving;
        this.handlers = handlers;
    }

    /** Serves {@code model} under its name until closed. */
    public static OpenAiEmulator start(EmulatedModel model, ModelTokenizer tokenizer, Faults faults,
            Options options) {
        HttpServer server = bind(options);
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemon("openai-emulator"));
        Serving serving = new Serving(model, tokenizer, faults, options.dialect().traits(),
                Executors.newSingleThreadScheduledExecutor(daemon("openai-emulator-ping")), new FinishedRequests());
        OpenAiEmulator emulator = new OpenAiEmulator(server, options, serving, handlers);
        server.createContext("/", emulator::handle);
        server.setExecutor(handlers);
        server.start();
        return emulator;
    }

    private static HttpServer bind(Options options) {
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
        try {
            if (options.tls() == null) {
                return HttpServer.create(address, 64);
            }
            // The files are read before binding, so a bad one leaves no socket behind.
            SSLContext tls = PemTls.context(null, options.tls().certificateChain(), options.tls().privateKey());
            HttpsServer https = HttpsServer.create(address, 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            return https;
        } catch (IOException e) {
            throw new UncheckedIOException("emulator could not listen on " + options.host() + ":" + options.port(), e);
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code host:port} for clients. */
    public String endpoint() {
        return options.host() + ":" + port();
    }

    /** What OpenAI clients take as their base URL: {@code http[s]://host:port/v1}. */
    public URI baseUrl() {
        return URI.create((options.tls() == null ? "http" : "https") + "://" + endpoint() + "/v1");
    }

    public Dialect dialect() {
        return options.dialect();
    }

    /**
     * How many requests carried each {@code priority}, in dialects that have the field. The emulated GPU has no
     * priority scheduling, so this is where a test sees that the client sent it.
     */
    public Map<Integer, Long> priorityCounts() {
        Map<Integer, Long> counts = new TreeMap<>();
        priorities.forEach((priority, count) -> counts.put(priority, count.sum()));
        return counts;
    }

    private void handle(HttpExchange exchange) {
        try {
            route(exchange);
        } catch (ApiError e) {
            reply(exchange, e);
        } catch (JsonProcessingException e) {
            reply(exchange, ApiError.badRequest("the body is not JSON: " + e.getOriginalMessage(), null));
        } catch (IOException e) {
            // The client left before its answer; there is nobody to tell.
            exchange.close();
        }
    }

    private void reply(HttpExchange exchange, ApiError error) {
        try {
            Replies.error(exchange, serving.dialect().errors(), error);
        } catch (IOException e) {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        Health health = serving.dialect().health();
        if (health.paths().contains(path) && (method.equals("GET") || method.equals("HEAD"))) {
            health(exchange, health, method.equals("HEAD"));
            return;
        }
        if (!path.startsWith("/v1/")) {
            throw ApiError.noRoute(method, path);
        }
        if (options.bearerToken() != null && !("Bearer " + options.bearerToken())
                .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            throw ApiError.unauthorized();
        }
        if (serving.faults().isUnavailable()) {
            // A server that is down answers nothing, model listings included.
            throw ApiError.fault("UNAVAILABLE");
        }
        switch (method + " " + path) {
            case "GET /v1/models" -> Replies.json(exchange, 200, models());
            case "POST /v1/chat/completions" -> complete(exchange, Kind.CHAT);
            case "POST /v1/completions" -> complete(exchange, Kind.TEXT);
            default -> throw ApiError.noRoute(method, path);
        }
    }

    private void health(HttpExchange exchange, Health health, boolean head) throws IOException {
        boolean down = serving.faults().isUnavailable();
        Body body = down ? health.down() : health.up();
        Replies.send(exchange, down ? 503 : 200, body.contentType(), head ? "" : body.text());
    }

    private String models() {
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        ObjectNode card = list.putArray("data").addObject().put("id", serving.model().name()).put("object", "model")
                .put("created", created).put("owned_by", "sluice-emulator");
        if (options.dialect().listsServedContext()) {
            card.put("max_model_len", SERVED_CONTEXT);
        }
        return list.toString();
    }

    private void complete(HttpExchange exchange, Kind kind) throws IOException {
        // Faults come before the request is read, as the gRPC emulators' interceptor fails calls.
        String failure = serving.faults().failureForNextCall();
        if (failure != null) {
            throw ApiError.fault(failure);
        }
        CompletionRequest request = CompletionRequest.parse(kind, JSON.readTree(exchange.getRequestBody()),
                serving.model().name(), serving.dialect(), serving.tokenizer());
        if (request.priority() != null) {
            priorities.computeIfAbsent(request.priority(), p -> new LongAdder()).increment();
        }
        CompletionCall.start(serving, request, exchange);
    }

    /**
     * What this server exports on a metrics port, where the emulator knows its server's metrics: vLLM's and
     * SGLang's; empty for the other dialects.
     */
    public Optional<ServerMetrics> metrics() {
        return switch (options.dialect()) {
            case VLLM -> Optional.of(new VllmMetrics(serving.model(), serving.finished()));
            // SGLang's HTTP server exports the same families as its gRPC worker.
            case SGLANG -> Optional.of(new SglangMetrics(serving.model()));
            default -> Optional.empty();
        };
    }

    /** Stops serving; streams still open are cut, and their sequences abandoned as their writes fail. */
    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
        serving.timer().shutdownNow();
    }
}
