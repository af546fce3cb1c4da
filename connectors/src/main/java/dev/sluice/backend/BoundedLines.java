package dev.sluice.backend;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A response body read as lines as they arrive, each handed to a consumer, with a cap on each line and on the whole:
 * the body is the server's, and the JDK's own line subscriber would hold a line of any length. Lines split on LF,
 * an optional CR before it dropped; split on bytes, which is safe in UTF-8, and decoded whole. A line or body over
 * its cap ends the read with {@link TooLong}, and cancelling the subscription closes the connection.
 */
public final class BoundedLines implements HttpResponse.BodySubscriber<Void> {

    /** The body broke a cap. */
    public static final class TooLong extends RuntimeException {
        TooLong(String message) {
            super(message, null, false, false);
        }
    }

    private final Consumer<String> lines;
    private final int maxLineBytes;
    private final long maxBodyBytes;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private volatile Flow.Subscription subscription;
    private long bodyBytes;

    public BoundedLines(Consumer<String> lines, int maxLineBytes, long maxBodyBytes) {
        this.lines = lines;
        this.maxLineBytes = maxLineBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Stops reading: the connection is closed, and the read ends without completing normally. */
    public void cancel() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        done.cancel(false);
    }

    @Override
    public CompletionStage<Void> getBody() {
        return done;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (done.isDone()) {
            subscription.cancel();
        } else {
            subscription.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (done.isDone()) {
            return;
        }
        try {
            for (ByteBuffer buffer : buffers) {
                bodyBytes += buffer.remaining();
                if (bodyBytes > maxBodyBytes) {
                    throw new TooLong("the response is longer than " + maxBodyBytes + " bytes");
                }
                while (buffer.hasRemaining()) {
                    byte next = buffer.get();
                    if (next == '\n') {
                        emit();
                    } else if (line.size() >= maxLineBytes) {
                        throw new TooLong("a line of the response is longer than " + maxLineBytes + " bytes");
                    } else {
                        line.write(next);
                    }
                }
            }
        } catch (RuntimeException e) {
            // A cap broken, or the consumer refusing a line: nothing more of this body is wanted.
            subscription.cancel();
            done.completeExceptionally(e);
        }
    }

    private void emit() {
        byte[] bytes = line.toByteArray();
        line.reset();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        lines.accept(new String(bytes, 0, length, StandardCharsets.UTF_8));
    }

    @Override
    public void onError(Throwable failure) {
        done.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        if (done.isDone()) {
            return;
        }
        try {
            if (line.size() > 0) {
                emit();
            }
            done.complete(null);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }
}
