package dev.sluice.emulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A simulated GPU running in-flight (continuous) batching: one scheduler thread admits waiting sequences while
 * slots and KV cache allow, then sleeps for the step time the {@link CostModel} gives, and hands every running
 * sequence one token. Prompts admitted in a step are prefilled in it and get their first token at its end.
 *
 * <p>Time runs {@code timeScale} times faster than the model says, so benchmarks can be short; every figure
 * reported is in model time.
 */
public final class InflightBatchingEngine implements AutoCloseable {

    private final CostModel cost;
    private final double timeScale;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workArrived = lock.newCondition();
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final EngineStats stats = new EngineStats();
    private final Thread scheduler;
    private volatile boolean closed;
    private long kvReserved;

    public InflightBatchingEngine(CostModel cost, double timeScale) {
        if (timeScale <= 0) {
            throw new IllegalArgumentException("timeScale must be positive: " + timeScale);
        }
        this.cost = cost;
        this.timeScale = timeScale;
        this.nanoClock = System::nanoTime;
        this.scheduler = new Thread(this::run, "emulated-gpu-" + cost.name());
        this.scheduler.setDaemon(true);
        this.scheduler.start();
    }

    /** Queues a sequence; the future completes when its last token is produced. */
    public CompletableFuture<Generation> submit(int promptTokens, int outputTokens) {
        if (outputTokens <= 0) {
            throw new IllegalArgumentException("outputTokens must be positive: " + outputTokens);
        }
        long readyAt = nanoClock.getAsLong() + scaled(cost.requestOverheadNanos());
        Sequence sequence = new Sequence(Math.max(1, promptTokens), outputTokens, nanoClock.getAsLong(), readyAt);
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("engine closed"));
            }
            waiting.add(sequence);
            workArrived.signal();
        } finally {
            lock.unlock();
        }
        return sequence.done;
    }

    public CostModel cost() {
        return cost;
    }

    public EngineStats.Snapshot stats() {
        return stats.snapshot();
    }

    /** Sequences decoding plus sequences queued. */
    public int load() {
        lock.lock();
        try {
            return running.size() + waiting.size();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closed) {
            Step step = admit();
            if (step == null) {
                continue;
            }
            LockSupport.parkNanos(scaled(step.nanos));
            stats.step(step.nanos, step.batch);
            finishStep(nanoClock.getAsLong());
        }
    }

    private record Step(long nanos, int batch) {}

    /** Moves ready sequences into the batch and prices the step; null after waiting for work. */
    private Step admit() {
        lock.lock();
        try {
            if (running.isEmpty() && waiting.isEmpty()) {
                workArrived.awaitUninterruptibly();
                return null;
            }
            long now = nanoClock.getAsLong();
            long prefill = 0;
            while (!waiting.isEmpty() && running.size() < cost.maxActive()) {
                Sequence next = waiting.peek();
                long footprint = next.promptTokens + next.outputTokens;
                if (next.readyAt > now || kvReserved + footprint > cost.kvCapacityTokens()) {
                    break;
                }
                waiting.poll();
                kvReserved += footprint;
                next.admittedAt = now;
                running.add(next);
                prefill += next.promptTokens;
            }
            if (running.isEmpty()) {
                // Only sequences still in their per-request overhead: wait for the first to become ready.
                Sequence first = waiting.peek();
                long wait = first == null ? 0 : first.readyAt - now;
                if (wait > 0) {
                    workArrived.awaitNanos(wait);
                }
                return null;
            }
            double meanContext = running.stream().mapToLong(s -> s.promptTokens + s.generated).average().orElse(0);
            return new Step(cost.stepNanos(running.size(), meanContext, prefill), running.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void finishStep(long now) {
        List<Sequence> finished = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
                Sequence sequence = it.next();
                if (sequence.generated++ == 0) {
                    sequence.firstTokenAt = now;
                }
                if (sequence.generated == sequence.outputTokens) {
                    it.remove();
                    kvReserved -= sequence.promptTokens + sequence.outputTokens;
                    finished.add(sequence);
                }
            }
        } finally {
            lock.unlock();
        }
        for (Sequence sequence : finished) {
            stats.finished(sequence.outputTokens);
            sequence.done.complete(new Generation(sequence.outputTokens,
                    unscaled(sequence.admittedAt - sequence.submittedAt),
                    unscaled(sequence.firstTokenAt - sequence.submittedAt),
                    unscaled(now - sequence.submittedAt)));
        }
    }

    private long scaled(long modelNanos) {
        return Math.round(modelNanos / timeScale);
    }

    private long unscaled(long wallNanos) {
        return Math.round(wallNanos * timeScale);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            workArrived.signalAll();
            waiting.forEach(s -> s.done.completeExceptionally(new IllegalStateException("engine closed")));
            running.forEach(s -> s.done.completeExceptionally(new IllegalStateException("engine closed")));
            waiting.clear();
            running.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A finished sequence, durations in model nanoseconds from submission.
     *
     * @param outputTokens tokens generated
     * @param queuedNanos until admission into the batch
     * @param firstTokenNanos until the first token
     * @param totalNanos until the last token
     */
    public record Generation(int outputTokens, long queuedNanos, long firstTokenNanos, long totalNanos) {}

    private static final class Sequence {
        final int promptTokens;
        final int outputTokens;
        final long submittedAt;
        final long readyAt;
        final CompletableFuture<Generation> done = new CompletableFuture<>();
        long admittedAt;
        long firstTokenAt;
        int generated;

        Sequence(int promptTokens, int outputTokens, long submittedAt, long readyAt) {
            this.promptTokens = promptTokens;
            this.outputTokens = outputTokens;
            this.submittedAt = submittedAt;
            this.readyAt = readyAt;
        }
    }
}
