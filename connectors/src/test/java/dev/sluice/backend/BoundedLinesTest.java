package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** Tests for {@link BoundedLines}. */
class BoundedLinesTest {

    @Test
    void linesSplitAcrossBuffersAndMultiByteCharactersComeWhole() {
        List<String> lines = new ArrayList<>();
        BoundedLines reader = subscribed(new BoundedLines(lines::add, 100, 1000));
        byte[] bytes = "data: こんにちは\r\n\ndata: [DONE]".getBytes(StandardCharsets.UTF_8);

        // Cut inside a three-byte character.
        reader.onNext(List.of(ByteBuffer.wrap(bytes, 0, 8)));
        reader.onNext(List.of(ByteBuffer.wrap(bytes, 8, bytes.length - 8)));
        reader.onComplete();

        assertThat(lines).containsExactly("data: こんにちは", "", "data: [DONE]");
        assertThat(reader.getBody().toCompletableFuture()).isCompleted();
    }

    @Test
    void aLineOrBodyOverItsCapEndsTheReadAndCancelsTheSubscription() {
        Subscription lineSubscription = new Subscription();
        BoundedLines longLine = new BoundedLines(line -> { }, 10, 1000);
        longLine.onSubscribe(lineSubscription);
        Subscription bodySubscription = new Subscription();
        BoundedLines longBody = new BoundedLines(line -> { }, 10, 20);
        longBody.onSubscribe(bodySubscription);

        longLine.onNext(List.of(ByteBuffer.wrap("x".repeat(11).getBytes(StandardCharsets.UTF_8))));
        longBody.onNext(List.of(ByteBuffer.wrap("abc\n".repeat(6).getBytes(StandardCharsets.UTF_8))));

        assertThat(lineSubscription.cancelled).isTrue();
        assertThat(longLine.getBody().toCompletableFuture()).isCompletedExceptionally();
        assertThat(bodySubscription.cancelled).isTrue();
        assertThat(longBody.getBody().toCompletableFuture()).isCompletedExceptionally();
    }

    private static BoundedLines subscribed(BoundedLines reader) {
        reader.onSubscribe(new Subscription());
        return reader;
    }

    private static final class Subscription implements Flow.Subscription {
        boolean cancelled;

        @Override
        public void request(long n) {}

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}
