package dev.sluice.emulator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An emulated server's metrics port: {@code GET /metrics} answers Prometheus' text format, written from the server's
 * state at that moment. Plain HTTP without auth, as Triton's metrics port and SGLang's and vLLM's {@code /metrics}
 * serve it.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ServerMetrics metrics;

    private MetricsEndpoint(HttpServer server, ServerMetrics metrics) {
        this.server = server;
        this.metrics = metrics;
    }

    /** Listens on {@code host:port} (0 for a free port). */
    public static MetricsEndpoint start(String host, int port, ServerMetrics metrics) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
            MetricsEndpoint endpoint = new MetricsEndpoint(server, metrics);
            server.createContext("/", endpoint::handle);
            // No executor: scrapes are rare and quick, so the server's own thread answers them.
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException("emulator could not serve metrics on " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
            } else if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
            } else {
                MetricsPage page = new MetricsPage();
                metrics.writeTo(page);
                byte[] body = page.toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
