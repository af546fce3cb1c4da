package dev.sluice.emulator.openai;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Whole (not streamed) HTTP responses; each closes its exchange. */
final class Replies {

    private Replies() {}

    static void json(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, "application/json", json);
    }

    /** An error in the dialect's shape, with {@code Retry-After} when the error asks the client to wait. */
    static void error(HttpExchange exchange, ErrorStyle style, ApiError error) throws IOException {
        if (error.retryAfterSeconds() != null) {
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
        json(exchange, error.status(), style.body(error).toString());
    }

    /** {@code body} as {@code contentType}; an empty body is sent as none, with no content type. */
    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (bytes.length == 0) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }
}
