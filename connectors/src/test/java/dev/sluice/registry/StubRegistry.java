package dev.sluice.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A registry stand-in on a loopback port, serving the Confluent-compatible API under Apicurio's prefix
 * {@code /apis/ccompat/v7}: each request gets the answer set for its method and raw path, and is recorded. A request
 * with no answer set gets HTTP 599, so a test sees the client asked for something unexpected.
 */
final class StubRegistry implements AutoCloseable {

    static final String PREFIX = "/apis/ccompat/v7";

    /** What the client sent: method, path as sent (still percent-encoded), headers and body. */
    record Request(String method, String rawPath, Map<String, List<String>> headers, String body) {

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> String.join(",", e.getValue())).findFirst().orElse(null);
        }
    }

    /** Writes an answer to one exchange. */
    interface Answer {
        void write(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    // A few threads, so an answer that stalls does not hold up the next test's requests.
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /** Plain HTTP. */
    StubRegistry() throws IOException {
        this(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    /** HTTPS, with the server certificate and key of {@code tls}. */
    StubRegistry(SSLContext tls) throws IOException {
        this(https(tls));
    }

    private static HttpsServer https(SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return server;
    }

    private StubRegistry(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The API's base URL, prefix included. */
    String url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + PREFIX;
    }

    /** Answers {@code method} requests to {@code PREFIX + path} (as sent, percent-encoded) with {@code answer}. */
    void on(String method, String path, Answer answer) {
        answers.put(method + " " + PREFIX + path, answer);
    }

    /** Answers with {@code status} and {@code json}, as registries do, content type and length set. */
    static Answer json(int status, String json) {
        return text(status, "application/json", json);
    }

    static Answer text(int status, String contentType, String text) {
        return exchange -> {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        };
    }

    List<Request> requests() {
        return requests;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String rawPath = exchange.getRequestURI().getRawPath();
        requests.add(new Request(exchange.getRequestMethod(), rawPath, Map.copyOf(exchange.getRequestHeaders()),
                body));
        Answer answer = answers.get(exchange.getRequestMethod() + " " + rawPath);
        try {
            if (answer == null) {
                exchange.sendResponseHeaders(599, -1);
            } else {
                answer.write(exchange);
            }
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
