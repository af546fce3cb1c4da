package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Tests for {@link CallFutures}. */
class CallFuturesTest {

    @Test
    void callsStartedBeforeOneThatCannotStartAreCancelled() {
        List<CompletableFuture<String>> started = new ArrayList<>();

        assertThatThrownBy(() -> CallFutures.startAll(List.of("a", "b", "bad", "c"), item -> {
            if (item.equals("bad")) {
                throw new IllegalArgumentException("cannot encode " + item);
            }
            CompletableFuture<String> call = new CompletableFuture<>();
            started.add(call);
            return call;
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("cannot encode bad");

        assertThat(started).hasSize(2).allSatisfy(call -> assertThat(call).isCancelled());
    }

    @Test
    void everyCallStartsWhenNoneThrows() {
        List<CompletableFuture<String>> calls = CallFutures.startAll(List.of("a", "b"),
                CompletableFuture::completedFuture);

        assertThat(CallFutures.allInOrder(calls).join()).containsExactly("a", "b");
    }
}
