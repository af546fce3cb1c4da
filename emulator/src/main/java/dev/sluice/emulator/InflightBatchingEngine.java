package dev.sluice.emulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simulated GPU running in-flight (continuous) batching: one scheduler thread admits waiting sequences while
 * slots and KV cache allow, then sleeps for the step time the {@link CostModel} gives, and hands every running
 * sequence one token. Prompts admitted in a step are prefilled in it (less what the prefix cache already holds)
 * and get their first token at its end.
 *
 * <p>Waiting sequences are admitted first come first served, whatever priority their request named: TensorRT-LLM's
 * executor admits so the requests of upstream's Triton models, which reach it without a priority
 * ({@code docs/backends.md}, Request priority on Triton). A running sequence is never preempted.
 *
 * <p>Time runs {@code timeScale} times faster than the model says, so benchmarks can be short; every figure
 * reported is in model time. A slowdown factor (a fault) stretches every step.
 */
public final class InflightBatchingEngine implements AutoCloseable {

    /** Told of each token as the step that made it ends; called on the scheduler thread. */
    @FunctionalInterface
    public interface TokenListener {
        void onToken(int generated);
    }

    private final CostModel cost;
    private final double timeScale;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workArrived = lock.newCondition();
    /** In arrival order; a sequence still in its per-request overhead has not reached the server's queue yet. */
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final EngineStats stats = new EngineStats();
    private final Thread scheduler;
    private volatile boolean closed;
    private volatile double slowdown = 1.0;
    private long kvReserved;

    public InflightBatchingEngine(CostModel cost, double timeScale) {
        if (timeScale <= 0) {
            throw new IllegalArgumentException("timeScale must be positive: " + timeScale);
        }
        this.cost = cost;
        this.timeScale = timeScale;
        this.scheduler = new Thread(this::run, "emulated-gpu-" + cost.name());
        this.scheduler.setDaemon(true);
        this.scheduler.start();
    }

    /**
     * Queues a sequence of {@code promptTokens}, {@code cachedTokens} of which need no prefill, that will
     * generate {@code outputTokens}.
     */
    public Sequence submit(int promptTokens, int cachedTokens, int outputTokens, TokenListener listener) {
        if (outputTokens <= 0) {
            throw new IllegalArgumentException("outputTokens must be positive: " + outputTokens);
        }
        long now = System.nanoTime();
        Sequence sequence = new Sequence(Math.max(1, promptTokens), Math.min(cachedTokens, promptTokens),
                outputTokens, now, now + scaled(cost.requestOverheadNanos()), listener);
        lock.lock();
        try {
            if (closed) {
                sequence.done.completeExceptionally(new IllegalStateException("engine closed"));
                return sequence;
            }
            waiting.add(sequence);
            workArrived.signal();
        } finally {
            lock.unlock();
        }
        return sequence;
    }

    /** Queues a sequence nobody streams from. */
    public CompletableFuture<Generation> submit(int promptTokens, int outputTokens) {
        return submit(promptTokens, 0, outputTokens, generated -> { }).done();
    }

    public CostModel cost() {
        return cost;
    }

    public EngineStats.Snapshot stats() {
        return stats.snapshot();
    }

    /** Every step takes {@code factor} times as long from now on (1 = normal). */
    public void slowdown(double factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("slowdown must be at least 1: " + factor);
        }
        slowdown = factor;
    }

    /** What the scheduler holds right now. */
    public Load load() {
        lock.lock();
        try {
            int prefilling = (int) running.stream().filter(s -> s.generated == 0).count();
            return new Load(running.size(), waiting.size(), prefilling, kvReserved, cost.kvCapacityTokens(),
                    cost.maxActive());
        } finally {
            lock.unlock();
        }
    }

    /**
     * A scheduler's occupancy.
     *
     * @param running sequences decoding
     * @param waiting sequences queued
     * @param prefilling running sequences whose prompt the current step prefills: admitted, no token yet
     * @param kvTokens KV-cache tokens reserved by running sequences
     * @param kvCapacity KV-cache tokens in all
     * @param maxRunning most sequences decoding at once
     */
    public record Load(int running, int waiting, int prefilling, long kvTokens, long kvCapacity, int maxRunning) {}

    /**
     * Step after step. The GPU's next step starts where its last ended, not after the scheduler's own work between
     * the two (admitting, handing out each sequence's token): that work overlaps the step, as a real engine's CPU side
     * overlaps its GPU, so it costs modelled time only when it takes longer than the step, and then this machine, not
     * the modelled GPU, sets the pace. Waking late from a park does not shift later steps either.
     */
    private void run() {
        long lastStepEnd = System.nanoTime();
        while (!closed) {
            Step step = admit();
            if (step == null) {
                continue;
            }
            long end = Math.max(System.nanoTime(), lastStepEnd) + scaled(Math.round(step.nanos * slowdown));
            for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            lastStepEnd = end;
            stats.step(step.nanos, step.batch);
            finishStep(System.nanoTime());
        }
    }

    private record Step(long nanos, int batch) {}

    /** Moves ready sequences into the batch and prices the step; null after waiting for work. */
    private Step admit() {
        lock.lock();
        try {
            int before = running.size() + waiting.size();
            running.removeIf(this::releaseIfCancelled);
            waiting.removeIf(s -> s.cancelled);
            stats.aborted(before - running.size() - waiting.size());
            if (running.isEmpty() && waiting.isEmpty()) {
                workArrived.awaitUninterruptibly();
                return null;
            }
            long now = System.nanoTime();
            long prefill = 0;
            while (running.size() < cost.maxActive()) {
                Sequence next = waiting.peek();
                // Sequences become ready in the order they came, so one still in its overhead holds the rest.
                if (next == null || next.readyAt > now) {
                    break;
                }
                long footprint = next.promptTokens + next.outputTokens;
                // The KV cache cannot take the next in line: nothing behind it passes.
                if (kvReserved + footprint > cost.kvCapacityTokens()) {
                    break;
                }
                waiting.poll();
                kvReserved += footprint;
                next.admittedAt = now;
                running.add(next);
                stats.admitted(next.promptTokens);
                prefill += next.promptTokens - next.cachedTokens;
            }
            if (running.isEmpty()) {
                // Only sequences still in their per-request overhead: wait for the first to become ready.
                long wait = waiting.isEmpty() ? 0 : waiting.peek().readyAt - now;
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

    private boolean releaseIfCancelled(Sequence sequence) {
        if (sequence.cancelled) {
            kvReserved -= sequence.promptTokens + sequence.outputTokens;
        }
        return sequence.cancelled;
    }

    private void finishStep(long now) {
        List<Sequence> stepped = new ArrayList<>();
        List<Finished> finished = new ArrayList<>();
        int abandoned = 0;
        lock.lock();
        try {
            for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
                Sequence sequence = it.next();
                if (sequence.cancelled) {
                    continue;
                }
                if (sequence.generated++ == 0) {
                    sequence.firstTokenAt = now;
                }
                stepped.add(sequence);
                abandoned += sequence.abandoned ? 1 : 0;
                if (sequence.generated == sequence.outputTokens) {
                    it.remove();
                    kvReserved -= sequence.promptTokens + sequence.outputTokens;
                    Generation generation = new Generation(sequence.outputTokens,
                            unscaled(sequence.admittedAt - sequence.submittedAt),
                            unscaled(sequence.firstTokenAt - sequence.submittedAt),
                            unscaled(now - sequence.submittedAt));
                    // Counted under the lock, so whoever sees the sequence gone from the batch sees it finished.
                    stats.finished(generation);
                    finished.add(new Finished(sequence, generation));
                }
            }
        } finally {
            lock.unlock();
        }
        stats.abandoned(abandoned);
        for (Sequence sequence : stepped) {
            try {
                sequence.listener.onToken(sequence.generated);
            } catch (RuntimeException e) {
                // A listener whose client went away must not stop the GPU for everyone else.
                sequence.cancel();
            }
        }
        // Completed outside the lock: callbacks on the futures may call back into the engine.
        finished.forEach(ended -> ended.sequence.done.complete(ended.generation));
    }

    private record Finished(Sequence sequence, Generation generation) {}

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

    /** A queued or running sequence. */
    public static final class Sequence {
        final int promptTokens;
        final int cachedTokens;
        final int outputTokens;
        final long submittedAt;
        final long readyAt;
        final TokenListener listener;
        final CompletableFuture<Generation> done = new CompletableFuture<>();
        volatile boolean cancelled;
        /** Its client gave up on it: tokens it still gets are counted as abandoned. */
        volatile boolean abandoned;
        long admittedAt;
        long firstTokenAt;
        int generated;

        Sequence(int promptTokens, int cachedTokens, int outputTokens, long submittedAt, long readyAt,
                TokenListener listener) {
            this.promptTokens = promptTokens;
            this.cachedTokens = cachedTokens;
            this.outputTokens = outputTokens;
            this.submittedAt = submittedAt;
            this.readyAt = readyAt;
            this.listener = listener;
        }

        public CompletableFuture<Generation> done() {
            return done;
        }

        /**
         * Marks the sequence as given up on by its client and, if {@code stop}, cancels it as a server that honours
         * cancellation does; otherwise it runs on, and what it generates is counted as abandoned.
         */
        public void abandon(boolean stop) {
            abandoned = true;
            if (stop) {
                cancel();
            }
        }

        /** Stops the sequence at the next step and frees its slot and KV cache, as an abort does. */
        public void cancel() {
            cancelled = true;
            done.completeExceptionally(new CancellationException("aborted"));
        }
    }
}
