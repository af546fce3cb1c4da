package dev.sluice.emulator;

import dev.sluice.emulator.InflightBatchingEngine.Sequence;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The sequences waiting for a place in the batch, by priority level, as Triton's dynamic batcher queues requests
 * of a model with {@code priority_levels}: level 1 first, every ready request of a level before any of the next,
 * first in first out within a level. With everything at one level it is a plain first-in first-out queue.
 *
 * <p>A sequence still in its per-request overhead has not reached the server's queue yet: a lower level's ready
 * head may go before it. Not thread-safe: the engine's lock guards it.
 */
final class WaitingQueue {

    private final TreeMap<Integer, Deque<Sequence>> levels = new TreeMap<>();
    private int size;

    void add(Sequence sequence) {
        levels.computeIfAbsent(sequence.level, level -> new ArrayDeque<>()).add(sequence);
        size++;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * The sequence to admit next at {@code now}: the head of the highest level whose head is ready, or null when no
     * head is. Within a level sequences become ready in the order they came, so only heads need looking at.
     */
    Sequence next(long now) {
        for (Deque<Sequence> level : levels.values()) {
            Sequence head = level.peek();
            if (head != null && head.readyAt <= now) {
                return head;
            }
        }
        return null;
    }

    /** Takes {@code head}, which {@link #next} just returned, out of the queue. */
    void remove(Sequence head) {
        Sequence taken = levels.get(head.level).poll();
        if (taken != head) {
            throw new IllegalStateException("not the head of its level");
        }
        size--;
    }

    /** When the first sequence still in its overhead becomes ready; {@link Long#MAX_VALUE} with none waiting. */
    long earliestReadyAt() {
        long earliest = Long.MAX_VALUE;
        for (Deque<Sequence> level : levels.values()) {
            Sequence head = level.peek();
            if (head != null && head.readyAt < earliest) {
                earliest = head.readyAt;
            }
        }
        return earliest;
    }

    /** Removes the sequences {@code test} accepts; returns how many. */
    int removeIf(Predicate<Sequence> test) {
        int removed = 0;
        for (Map.Entry<Integer, Deque<Sequence>> level : levels.entrySet()) {
            int before = level.getValue().size();
            level.getValue().removeIf(test);
            removed += before - level.getValue().size();
        }
        size -= removed;
        return removed;
    }

    void forEach(Consumer<Sequence> action) {
        levels.values().forEach(level -> level.forEach(action));
    }

    void clear() {
        levels.clear();
        size = 0;
    }
}
