package dev.sluice.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.emulator.InflightBatchingEngine.Sequence;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link WaitingQueue}. */
class WaitingQueueTest {

    private static Sequence sequence(int level, long readyAt) {
        return new Sequence(10, 0, 10, level, 0, readyAt, generated -> { });
    }

    private static List<Sequence> drain(WaitingQueue queue, long now) {
        List<Sequence> order = new ArrayList<>();
        for (Sequence next = queue.next(now); next != null; next = queue.next(now)) {
            queue.remove(next);
            order.add(next);
        }
        return order;
    }

    @Test
    void everyLevelOneSequenceGoesBeforeAnyOfLevelTwoFirstInFirstOutWithinALevel() {
        WaitingQueue queue = new WaitingQueue();
        Sequence bulk1 = sequence(2, 0);
        Sequence bulk2 = sequence(2, 0);
        Sequence interactive1 = sequence(1, 0);
        Sequence lowest = sequence(3, 0);
        Sequence interactive2 = sequence(1, 0);
        List.of(bulk1, bulk2, interactive1, lowest, interactive2).forEach(queue::add);

        assertThat(queue.size()).isEqualTo(5);
        assertThat(drain(queue, 0)).containsExactly(interactive1, interactive2, bulk1, bulk2, lowest);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void oneLevelIsFirstInFirstOut() {
        WaitingQueue queue = new WaitingQueue();
        List<Sequence> submitted = List.of(sequence(1, 0), sequence(1, 0), sequence(1, 0));
        submitted.forEach(queue::add);

        assertThat(drain(queue, 0)).containsExactlyElementsOf(submitted);
    }

    /** A request still in its transport and tokenisation overhead has not reached Triton's queue yet. */
    @Test
    void aReadyLowerLevelGoesBeforeAHigherOneStillInItsOverhead() {
        WaitingQueue queue = new WaitingQueue();
        Sequence interactive = sequence(1, 100);
        Sequence bulk = sequence(2, 0);
        queue.add(interactive);
        queue.add(bulk);

        assertThat(queue.next(50)).isSameAs(bulk);
        assertThat(queue.earliestReadyAt()).isZero();
        queue.remove(bulk);
        assertThat(queue.next(50)).isNull();
        assertThat(queue.earliestReadyAt()).isEqualTo(100);
        assertThat(queue.next(100)).isSameAs(interactive);
    }

    @Test
    void cancelledSequencesLeaveEveryLevel() {
        WaitingQueue queue = new WaitingQueue();
        Sequence kept = sequence(2, 0);
        Sequence cancelled = sequence(1, 0);
        queue.add(kept);
        queue.add(cancelled);
        cancelled.cancel();

        assertThat(queue.removeIf(s -> s.cancelled)).isEqualTo(1);
        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.next(0)).isSameAs(kept);
    }
}
