package dev.sluice.gateway;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.TokenEstimate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Between the pipeline and one model's servers: requests queue here, interactive ones ahead of batch work, and
 * leave in batches (up to a size, a token budget, or once the oldest has waited the longest queue delay) for a
 * replica that has fewer requests in flight than its {@link AdaptiveLimit} allows. Requests of a batch are ordered
 * by their opening text and then their length, so those sharing a prefix travel together, and a batch goes to the replica its prefix
 * hashes to (where that replica's prefix cache holds it) unless that replica has {@value #AFFINITY_SLACK} more
 * requests in flight than the least loaded one, which then takes it: prefix affinity with a load bound, as
 * SGLang's gateway does. A request whose deadline passes in the queue is failed with
 * {@link DeadlineExceededException} and never sent. Batch work leaves room for interactive requests at each
 * replica ({@link Replica#bulkRoom()}).
 */
public final class Gateway implements AutoCloseable {

    private static final int PREFIX_CHARS = 64;
    /** How many more requests in flight the prefix's replica may have than the least loaded before it is passed. */
    static final int AFFINITY_SLACK = 32;

    private final List<Replica> replicas;
    private final GatewayOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Pending> interactive = new ArrayDeque<>();
    private final Deque<Pending> bulk = new ArrayDeque<>();
    private final Thread dispatcher;
    private long calls;
    private long dispatched;
    private boolean closed;

    public Gateway(InferenceBackend backend, GatewayOptions options) {
        this(List.of(backend), options);
    }

    /** A gateway over replicas of one model, each a server of its own. */
    public Gateway(List<InferenceBackend> backends, GatewayOptions options) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a gateway needs at least one replica");
        }
        this.options = options;
        this.replicas = backends.stream().map(backend -> new Replica(backend, options)).toList();
        this.dispatcher = new Thread(this::dispatch, "gateway-" + backends.get(0).endpoint());
        this.dispatcher.setDaemon(true);
        this.dispatcher.start();
        replicas.forEach(replica -> replica.startPolling(this::wake));
    }

    private void wake() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private record Pending(GenerationRequest request, boolean interactive, long deadlineNanos, long enqueuedNanos,
            int tokens, CompletableFuture<Answer> result) {}

    /**
     * A request's result and when it left the queue.
     *
     * @param result the server's answer
     * @param sentNanos {@link System#nanoTime()} when its batch was sent
     * @param batchSize requests sent with it
     */
    public record Answer(GenerationResult result, long sentNanos, int batchSize) {}

    /**
     * Queues a request; {@code deadlineNanos} is a {@link System#nanoTime()} instant, 0 for none.
     */
    public CompletableFuture<Answer> submit(GenerationRequest request, boolean isInteractive,
            long deadlineNanos) {
        Pending pending = new Pending(request, isInteractive, deadlineNanos, System.nanoTime(),
                TokenEstimate.of(request.prompt()) + request.maxTokens(), new CompletableFuture<>());
        lock.lock();
        try {
            if (closed) {
                pending.result.completeExceptionally(BackendException.retryable("gateway closed", null));
            } else {
                (isInteractive ? interactive : bulk).add(pending);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        return pending.result;
    }

    /**
     * The gateway's state now.
     *
     * @param queued requests waiting
     * @param inFlight requests at the server
     * @param limit requests the server may have
     * @param calls server calls made
     * @param requests requests sent in them
     */
    public record Stats(int queued, int inFlight, int limit, long calls, long requests) {
        public double meanBatch() {
            return calls == 0 ? 0 : (double) requests / calls;
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(interactive.size() + bulk.size(), replicas.stream().mapToInt(r -> r.inFlight).sum(),
                    replicas.stream().mapToInt(r -> r.limit.limit()).sum(), calls, dispatched);
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        while (true) {
            Dispatch next = nextBatch();
            if (next == null) {
                return;
            }
            send(next.replica, next.batch);
        }
    }

    private record Dispatch(Replica replica, List<Pending> batch) {}

    /** Waits for a batch worth sending and a replica to take it; null once closed. */
    private Dispatch nextBatch() {
        lock.lock();
        try {
            while (!closed) {
                long now = System.nanoTime();
                expire(interactive, now);
                expire(bulk, now);
                Pending head = interactive.isEmpty() ? bulk.peek() : interactive.peek();
                Replica replica = head == null ? null : choose(head);
                int room = replica == null ? 0 : replica.room();
                int bulkRoom = replica == null ? 0 : Math.max(0, replica.bulkRoom());
                if (head == null || replica == null || room <= 0 || (interactive.isEmpty() && bulkRoom == 0)) {
                    if (head == null) {
                        changed.await();
                    } else {
                        changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(Replica.LOAD_POLL_MILLIS));
                    }
                    continue;
                }
                int most = Math.min(room, options.maxBatchSize());
                int queued = interactive.size() + Math.min(bulk.size(), bulkRoom);
                long waited = now - head.enqueuedNanos;
                long delay = options.maxQueueDelay().toNanos();
                if (queued < most && waited < delay) {
                    changed.awaitNanos(delay - waited);
                    continue;
                }
                return new Dispatch(replica, take(replica, most, bulkRoom));
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The replica the request's prefix hashes to, unless it is full or far busier than the least loaded. */
    private Replica choose(Pending head) {
        Replica preferred = replicas.get(Math.floorMod(prefix(head.request.prompt()).hashCode(), replicas.size()));
        Replica leastLoaded = replicas.stream().filter(r -> r.room() > 0)
                .min(java.util.Comparator.comparingInt(r -> r.inFlight)).orElse(null);
        if (preferred.room() > 0 && (!options.prefixGrouping() || leastLoaded == null
                || preferred.inFlight <= leastLoaded.inFlight + AFFINITY_SLACK)) {
            return options.prefixGrouping() ? preferred : leastLoaded;
        }
        return leastLoaded;
    }

    private List<Pending> take(Replica replica, int most, int mostBulk) {
        List<Pending> batch = new ArrayList<>();
        int tokens = 0;
        int bulkTaken = 0;
        while (batch.size() < most) {
            Deque<Pending> queue = interactive.isEmpty() ? bulk : interactive;
            if (queue == bulk && bulkTaken >= mostBulk) {
                break;
            }
            Pending next = queue.peek();
            if (next == null || (!batch.isEmpty() && tokens + next.tokens > options.maxBatchTokens())) {
                break;
            }
            queue.poll();
            batch.add(next);
            tokens += next.tokens;
            bulkTaken += queue == bulk ? 1 : 0;
        }
        if (options.prefixGrouping()) {
            // Shared prefixes side by side, and within them similar lengths, which finish together.
            batch.sort(Comparator.<Pending, String>comparing(p -> prefix(p.request.prompt()))
                    .thenComparingInt(p -> p.tokens));
        }
        replica.sent(batch.size(), bulkTaken);
        calls++;
        dispatched += batch.size();
        return batch;
    }

    private static String prefix(String prompt) {
        return prompt.substring(0, Math.min(PREFIX_CHARS, prompt.length()));
    }

    private void expire(Deque<Pending> queue, long now) {
        queue.removeIf(pending -> {
            boolean expired = pending.deadlineNanos != 0 && now >= pending.deadlineNanos;
            if (expired) {
                pending.result.completeExceptionally(new DeadlineExceededException("deadline passed after "
                        + TimeUnit.NANOSECONDS.toMillis(now - pending.enqueuedNanos) + " ms in the gateway's queue"));
            }
            return expired;
        });
    }

    /** Sends a dispatched batch in as many calls as the backend needs; each call's fate is its own requests'. */
    private void send(Replica replica, List<Pending> batch) {
        long started = System.nanoTime();
        int perCall = Math.max(1, replica.backend.maxBatchPerCall());
        for (int from = 0; from < batch.size(); from += perCall) {
            call(replica, batch.subList(from, Math.min(from + perCall, batch.size())), started, batch.size());
        }
    }

    private void call(Replica replica, List<Pending> group, long started, int batchSize) {
        CompletableFuture<List<GenerationResult>> answer;
        try {
            answer = replica.backend.generate(group.stream().map(Pending::request).toList());
        } catch (RuntimeException e) {
            // A backend that throws instead of failing its future must not stop the dispatcher or leak slots.
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((results, failure) -> {
            try {
                long elapsed = System.nanoTime() - started;
                Throwable outcome = failure != null ? failure : miscounted(replica, results, group.size());
                if (outcome == null) {
                    int tokens = results.stream().mapToInt(GenerationResult::completionTokens).max().orElse(1);
                    replica.limit.onSample(elapsed, tokens, group.size(), false);
                    for (int i = 0; i < group.size(); i++) {
                        group.get(i).result.complete(new Answer(results.get(i), started, batchSize));
                    }
                } else {
                    Throwable cause = outcome instanceof CompletionException && outcome.getCause() != null
                            ? outcome.getCause() : outcome;
                    if (cause instanceof BackendException backendFailure && backendFailure.isRetryable()) {
                        replica.limit.onSample(elapsed, 1, group.size(), true);
                    }
                    group.forEach(pending -> pending.result.completeExceptionally(cause));
                }
            } finally {
                lock.lock();
                try {
                    replica.inFlight -= group.size();
                    changed.signal();
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    /** A failure when a backend answers a call with a different number of results than it was sent; else null. */
    private static BackendException miscounted(Replica replica, List<GenerationResult> results, int sent) {
        return results != null && results.size() == sent ? null : BackendException.permanent(
                replica.backend.endpoint() + " answered " + (results == null ? 0 : results.size())
                        + " results for " + sent + " requests", null);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            BackendException failure = BackendException.retryable("gateway closed", null);
            interactive.forEach(p -> p.result.completeExceptionally(failure));
            bulk.forEach(p -> p.result.completeExceptionally(failure));
            interactive.clear();
            bulk.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        replicas.forEach(Replica::stopPolling);
    }
}
