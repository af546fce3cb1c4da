package dev.sluice.registry;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a cap. The JDK's own handlers read whatever the server sends, so a registry (or
 * whatever answers at its address) could fill the heap with one response; here the body stops at {@code maxBytes}
 * and the connection is dropped, reading no further.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<BoundedBody.Received> {

    /**
     * What was read: all of the body, or when {@code complete} is false its first bytes, at most the cap.
     *
     * @param bytes the bytes read
     * @param complete whether they are the whole body
     */
    record Received(byte[] bytes, boolean complete) {}

    private final int maxBytes;
    private final long declaredLength;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<Received> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    private BoundedBody(int maxBytes, long declaredLength) {
        this.maxBytes = maxBytes;
        this.declaredLength = declaredLength;
    }

    /** Bodies of at most {@code maxBytes}; one that says in its Content-Length that it is longer is not read. */
    static HttpResponse.BodyHandler<Received> handler(int maxBytes) {
        return info -> new BoundedBody(maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    @Override
    public CompletionStage<Received> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (declaredLength > maxBytes) {
            stop();
        } else {
            subscription.request(1);
        }
    }

    /** One item asked for at a time, so none is on its way once {@link #stop()} has cancelled. */
    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            int take = Math.min(buffer.remaining(), maxBytes - received.size());
            byte[] chunk = new byte[take];
            buffer.get(chunk);
            received.write(chunk, 0, take);
            if (buffer.hasRemaining()) {
                stop();
                return;
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(new Received(received.toByteArray(), true));
    }

    /** Over the cap: no more is read, and the client closes the connection rather than reuse it mid-body. */
    private void stop() {
        subscription.cancel();
        result.complete(new Received(received.toByteArray(), false));
    }
}
