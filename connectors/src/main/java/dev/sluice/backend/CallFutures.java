package dev.sluice.backend;

import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Futures for asynchronous gRPC calls: one response as a future, many futures as one list, and cancelling a
 * future as cancelling the calls behind it.
 */
public final class CallFutures {

    private CallFutures() {}

    /** An observer for a unary call to {@code endpoint} whose response completes the future; failures classified. */
    public static final class Unary<T> implements StreamObserver<T> {
        private final String endpoint;
        private final CompletableFuture<T> future = new CompletableFuture<>();

        public Unary(String endpoint) {
            this.endpoint = endpoint;
        }

        public CompletableFuture<T> future() {
            return future;
        }

        @Override
        public void onNext(T value) {
            future.complete(value);
        }

        @Override
        public void onError(Throwable failure) {
            future.completeExceptionally(GrpcErrors.classify(endpoint, failure));
        }

        @Override
        public void onCompleted() {
            future.completeExceptionally(BackendException.permanent(endpoint + ": the call ended without a response",
                    null));
        }
    }

    /**
     * Runs {@code cancel} if {@code future} is cancelled, and returns it: how a caller that abandons a future
     * abandons the server calls behind it.
     */
    public static <T> CompletableFuture<T> onCancel(CompletableFuture<T> future, Runnable cancel) {
        future.whenComplete((value, failure) -> {
            if (future.isCancelled()) {
                cancel.run();
            }
        });
        return future;
    }

    /**
     * Starts a call for each of {@code items}, in order. If starting one throws, those already started are
     * cancelled before the exception goes on: their caller sees the whole fail and retries every item, and calls
     * left running would generate for requests retried elsewhere, with no one left to cancel them.
     */
    public static <I, T> List<CompletableFuture<T>> startAll(List<I> items,
            Function<? super I, CompletableFuture<T>> start) {
        List<CompletableFuture<T>> started = new ArrayList<>(items.size());
        try {
            for (I item : items) {
                started.add(start.apply(item));
            }
        } catch (RuntimeException e) {
            started.forEach(call -> call.cancel(false));
            throw e;
        }
        return started;
    }

    /**
     * The results of {@code futures} in their order, once all are done; the first failure fails the whole, and
     * cancelling the whole cancels each.
     */
    public static <T> CompletableFuture<List<T>> allInOrder(List<CompletableFuture<T>> futures) {
        return onCancel(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList()),
                () -> futures.forEach(future -> future.cancel(false)));
    }
}
