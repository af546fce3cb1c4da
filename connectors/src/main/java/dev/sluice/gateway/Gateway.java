package dev.sluice.gateway;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
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
 * Between the pipeline and one model's server: requests queue here, interactive ones ahead of batch work, and
 * leave in batches (up to a size, a token budget, or once the oldest has waited the longest queue delay) while
 * the server has fewer requests in flight than the {@link AdaptiveLimit} allows. Requests of a batch are ordered
 * by their opening text, so those sharing a prefix travel together. A request whose deadline passes in the queue
 * is failed with {@link DeadlineExceededException} and never sent.
 *
 * <p>When the server reports its load ({@link ReportsLoad}, SGLang's {@code GetLoads}), batch work is sent only
 * while the server has room: fewer requests running and waiting than it runs at once, less
 * {@value #RESERVED_FOR_INTERACTIVE} slots kept for interactive requests (or, when it does not say how many it
 * runs, fewer than {@value #RESERVED_FOR_INTERACTIVE} waiting). Requests the server has queued are out of this
 * gateway's reach, and an interactive request arriving behind them would wait for all; so batch work fills idle
 * capacity while interactive requests find a free slot.
 */
public final class Gateway implements AutoCloseable {

    private static final int PREFIX_CHARS = 64;
    /** Server slots batch work leaves free for interactive requests. */
    static final int RESERVED_FOR_INTERACTIVE = 8;
    private static final long LOAD_POLL_MILLIS = 20;

    private final InferenceBackend backend;
    private final GatewayOptions options;
    private final AdaptiveLimit limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Pending> interactive = new ArrayDeque<>();
    private final Deque<Pending> bulk = new ArrayDeque<>();
    private final Thread dispatcher;
    private final Thread loadPoller;
    private volatile ServerLoad serverLoad;
    private int bulkSentSinceReport;
    private int inFlight;
    private long calls;
    private long dispatched;
    private boolean closed;

    public Gateway(InferenceBackend backend, GatewayOptions options) {
        this.backend = backend;
        this.options = options;
        this.limit = new AdaptiveLimit(options.initialLimit(), options.minLimit(), options.maxLimit());
        this.dispatcher = new Thread(this::dispatch, "gateway-" + backend.endpoint());
        this.dispatcher.setDaemon(true);
        this.dispatcher.start();
        this.loadPoller = backend instanceof ReportsLoad reports ? pollLoad(reports) : null;
    }

    private Thread pollLoad(ReportsLoad reports) {
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    ServerLoad load = reports.load().get(LOAD_POLL_MILLIS * 10, TimeUnit.MILLISECONDS);
                    lock.lock();
                    try {
                        serverLoad = load;
                        bulkSentSinceReport = 0;
                        changed.signal();
                    } finally {
                        lock.unlock();
                    }
                    Thread.sleep(LOAD_POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // No report this time: hold no batch work back on a guess, and ask again later.
                    serverLoad = null;
                    try {
                        Thread.sleep(LOAD_POLL_MILLIS * 10);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }, "gateway-load-" + backend.endpoint());
        thread.setDaemon(true);
        thread.start();
        return thread;
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
            return new Stats(interactive.size() + bulk.size(), inFlight, limit.limit(), calls, dispatched);
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        while (true) {
            List<Pending> batch = nextBatch();
            if (batch == null) {
                return;
            }
            send(batch);
        }
    }

    /** Waits for a batch worth sending; null once closed. */
    private List<Pending> nextBatch() {
        lock.lock();
        try {
            while (!closed) {
                long now = System.nanoTime();
                expire(interactive, now);
                expire(bulk, now);
                int room = limit.limit() - inFlight;
                // Batch work never takes the last few places of the limit either: they are the interactive lane.
                int reserve = Math.min(RESERVED_FOR_INTERACTIVE, limit.limit() / 8);
                int bulkRoom = Math.min(room - reserve, bulkRoomAtServer());
                Pending oldest = interactive.isEmpty() ? (bulkRoom > 0 ? bulk.peek() : null) : interactive.peek();
                if (oldest == null || room <= 0) {
                    if (!interactive.isEmpty() || !bulk.isEmpty()) {
                        changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(LOAD_POLL_MILLIS));
                    } else {
                        changed.await();
                    }
                    continue;
                }
                int queued = interactive.size() + Math.min(bulk.size(), Math.max(0, bulkRoom));
                long waited = now - oldest.enqueuedNanos;
                long delay = options.maxQueueDelay().toNanos();
                if (queued < Math.min(room, options.maxBatchSize()) && waited < delay) {
                    changed.awaitNanos(delay - waited);
                    continue;
                }
                return take(Math.min(room, options.maxBatchSize()), Math.max(0, bulkRoom));
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Batch requests the server can take now without queueing them ahead of interactive ones. */
    private int bulkRoomAtServer() {
        ServerLoad load = serverLoad;
        if (load == null) {
            return Integer.MAX_VALUE;
        }
        int free = load.maxRunning() > 0
                ? load.maxRunning() - RESERVED_FOR_INTERACTIVE - load.running() - load.waiting()
                : RESERVED_FOR_INTERACTIVE - load.waiting();
        return free - bulkSentSinceReport;
    }

    private List<Pending> take(int most, int mostBulk) {
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
            bulkSentSinceReport += queue == bulk ? 1 : 0;
        }
        batch.sort(Comparator.comparing(p -> prefix(p.request.prompt())));
        inFlight += batch.size();
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
                        + TimeUnit.NANOSECONDS.toMillis(now - pending.enqueuedNanos) + " ms in the queue of "
                        + backend.endpoint()));
            }
            return expired;
        });
    }

    /** Sends a dispatched batch in as many calls as the backend needs; each call's fate is its own requests'. */
    private void send(List<Pending> batch) {
        long started = System.nanoTime();
        int perCall = Math.max(1, backend.maxBatchPerCall());
        for (int from = 0; from < batch.size(); from += perCall) {
            call(batch.subList(from, Math.min(from + perCall, batch.size())), started, batch.size());
        }
    }

    private void call(List<Pending> group, long started, int batchSize) {
        CompletableFuture<List<GenerationResult>> answer;
        try {
            answer = backend.generate(group.stream().map(Pending::request).toList());
        } catch (RuntimeException e) {
            // A backend that throws instead of failing its future must not stop the dispatcher or leak slots.
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((results, failure) -> {
            try {
                long elapsed = System.nanoTime() - started;
                if (failure == null) {
                    int tokens = results.stream().mapToInt(GenerationResult::completionTokens).max().orElse(1);
                    limit.onSample(elapsed, tokens, group.size(), false);
                    for (int i = 0; i < group.size(); i++) {
                        group.get(i).result.complete(new Answer(results.get(i), started, batchSize));
                    }
                } else {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof BackendException backendFailure && backendFailure.isRetryable()) {
                        limit.onSample(elapsed, 1, group.size(), true);
                    }
                    group.forEach(pending -> pending.result.completeExceptionally(cause));
                }
            } finally {
                lock.lock();
                try {
                    inFlight -= group.size();
                    changed.signal();
                } finally {
                    lock.unlock();
                }
            }
        });
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
        if (loadPoller != null) {
            loadPoller.interrupt();
        }
    }
}
