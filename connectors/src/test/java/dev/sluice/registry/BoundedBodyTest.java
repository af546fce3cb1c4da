package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** Tests for {@link BoundedBody}, fed buffers directly as the HTTP client would. */
class BoundedBodyTest {

    @Test
    void aBodyWithinTheCapIsReadWhole() {
        RecordingSubscription subscription = new RecordingSubscription();
        HttpResponse.BodySubscriber<BoundedBody.Received> body = BoundedBody.handler(4).apply(info(Map.of()));

        body.onSubscribe(subscription);
        body.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.wrap(new byte[] {3})));
        body.onNext(List.of(ByteBuffer.wrap(new byte[] {4})));
        body.onComplete();

        BoundedBody.Received received = body.getBody().toCompletableFuture().join();
        assertThat(received.complete()).isTrue();
        assertThat(received.bytes()).containsExactly(1, 2, 3, 4);
        assertThat(subscription.requested).isEqualTo(3);
        assertThat(subscription.cancelled).isFalse();
    }

    @Test
    void aLongerBodyStopsAtTheCapAndIsNotReadFurther() {
        RecordingSubscription subscription = new RecordingSubscription();
        HttpResponse.BodySubscriber<BoundedBody.Received> body = BoundedBody.handler(3).apply(info(Map.of()));

        body.onSubscribe(subscription);
        body.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.wrap(new byte[] {3, 4, 5})));

        BoundedBody.Received received = body.getBody().toCompletableFuture().join();
        assertThat(received.complete()).isFalse();
        assertThat(received.bytes()).containsExactly(1, 2, 3);
        assertThat(subscription.cancelled).isTrue();
        assertThat(subscription.requested).isEqualTo(1);
    }

    @Test
    void aBodyDeclaredLongerThanTheCapIsNotReadAtAll() {
        RecordingSubscription subscription = new RecordingSubscription();
        HttpResponse.BodySubscriber<BoundedBody.Received> body =
                BoundedBody.handler(3).apply(info(Map.of("Content-Length", List.of("4"))));

        body.onSubscribe(subscription);

        BoundedBody.Received received = body.getBody().toCompletableFuture().join();
        assertThat(received.complete()).isFalse();
        assertThat(received.bytes()).isEmpty();
        assertThat(subscription.requested).isZero();
        assertThat(subscription.cancelled).isTrue();
    }

    private static HttpResponse.ResponseInfo info(Map<String, List<String>> headers) {
        return new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return 200;
            }

            @Override
            public HttpHeaders headers() {
                return HttpHeaders.of(headers, (name, value) -> true);
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }

    private static final class RecordingSubscription implements Flow.Subscription {

        long requested;
        boolean cancelled;

        @Override
        public void request(long n) {
            requested += n;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}
