package dev.sluice.emulator.openai;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server-sent-event stream on an exchange's chunked body, data-only as OpenAI's: {@code data: <json>} and a
 * blank line per event. Each event is flushed at once. A write that fails means the client went away: the stream
 * closes and {@code onClientGone} runs, once. Writes come from the GPU's thread and the ping timer, so they are
 * serialized.
 */
final class SseStream {

    private static final String DONE = "[DONE]";

    private final HttpExchange exchange;
    private final OutputStream body;
    private final Runnable onClientGone;
    private ScheduledFuture<?> pings;
    private boolean open = true;

    private SseStream(HttpExchange exchange, Runnable onClientGone) {
        this.exchange = exchange;
        this.body = exchange.getResponseBody();
        this.onClientGone = onClientGone;
    }

    /** Sends the 200 and the stream's headers. */
    static SseStream open(HttpExchange exchange, Runnable onClientGone) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        return new SseStream(exchange, onClientGone);
    }

    /**
     * Sends an SSE comment ({@code : ping}) now and every {@code interval} until the stream ends, as llama.cpp's
     * keep-alive does; the first comes at once so that every stream exercises a client's handling of comments.
     */
    synchronized void pingEvery(Duration interval, ScheduledExecutorService timer) {
        if (open) {
            pings = timer.scheduleAtFixedRate(() -> write(": ping\n\n"), 0, interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    synchronized void data(String json) {
        write("data: " + json + "\n\n");
    }

    /** Ends the stream as OpenAI's do, with {@code data: [DONE]}. */
    synchronized void done() {
        data(DONE);
        close();
    }

    /** Ends the stream with a mid-stream error, an event whose object holds {@code error}, and no [DONE]. */
    synchronized void fail(String errorJson) {
        data(errorJson);
        close();
    }

    synchronized boolean isOpen() {
        return open;
    }

    private synchronized void write(String event) {
        if (!open) {
            return;
        }
        try {
            body.write(event.getBytes(StandardCharsets.UTF_8));
            body.flush();
        } catch (IOException e) {
            close();
            onClientGone.run();
        }
    }

    private void close() {
        if (pings != null) {
            pings.cancel(false);
        }
        if (open) {
            open = false;
            exchange.close();
        }
    }
}
