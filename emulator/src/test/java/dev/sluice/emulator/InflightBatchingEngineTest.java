package dev.sluice.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tests for {@link InflightBatchingEngine}. */
class InflightBatchingEngineTest {

    @Test
    void concurrentSequencesShareStepsAndEachGetsItsTokens() {
        // 100x faster than the model: 30 sequences of 20 tokens take a few milliseconds of wall time.
        try (InflightBatchingEngine engine = new InflightBatchingEngine(CostModel.llama8bH100(), 100)) {
            List<CompletableFuture<InflightBatchingEngine.Generation>> runs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                runs.add(engine.submit(50, 20));
            }
            runs.forEach(run -> assertThat(run.join().outputTokens()).isEqualTo(20));

            EngineStats.Snapshot stats = engine.stats();
            assertThat(stats.finishedSequences()).isEqualTo(30);
            assertThat(stats.outputTokens()).isEqualTo(600);
            // Batched: far fewer steps than 30 sequences x 20 tokens would need one at a time.
            assertThat(stats.steps()).isLessThan(200);
            assertThat(stats.meanBatch()).isGreaterThan(3);
        }
    }

    @Test
    void aSequenceWaitsWhenTheActiveLimitIsReached() {
        CostModel oneAtATime = new CostModel("one", 1_000_000, 0, 0, 1_000_000, 1, 1_000_000, 0);
        try (InflightBatchingEngine engine = new InflightBatchingEngine(oneAtATime, 10)) {
            CompletableFuture<InflightBatchingEngine.Generation> first = engine.submit(1, 5);
            CompletableFuture<InflightBatchingEngine.Generation> second = engine.submit(1, 5);

            InflightBatchingEngine.Generation later = second.join();
            first.join();
            // Not compared with the first's wait: that one includes the engine thread's start, which a loaded
            // machine can stretch past the second's. The second was admitted only after the first's five steps of 1 ms (model time).
            assertThat(later.queuedNanos()).isGreaterThanOrEqualTo(4_000_000);
            assertThat(engine.stats().meanBatch()).isEqualTo(1.0);
        }
    }

    /**
     * A full batch (one slot) and a queue behind it: the waiting sequences are admitted in the order they came, and
     * the running sequence is not preempted.
     */
    @Test
    void underAFullBatchWaitingSequencesAreAdmittedInArrivalOrder() throws Exception {
        CostModel oneSlot = new CostModel("one-slot", 1_000_000, 0, 0, 1_000_000, 1, 1_000_000, 0);
        try (InflightBatchingEngine engine = new InflightBatchingEngine(oneSlot, 10)) {
            List<String> finished = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch running = new CountDownLatch(1);
            // 1,000 steps of 1 ms (model time) at 10x: the slot stays taken for about 100 ms while the others queue.
            InflightBatchingEngine.Sequence first = engine.submit(1, 0, 1000, generated -> running.countDown());
            first.done().thenRun(() -> finished.add("running"));
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<?>> queued = new ArrayList<>();
            for (String name : List.of("a", "b", "c", "d")) {
                queued.add(engine.submit(1, 0, 2, generated -> { }).done().thenRun(() -> finished.add(name)));
            }
            assertThat(engine.load().waiting()).as("all queued behind the running one").isEqualTo(4);

            queued.forEach(CompletableFuture::join);
            first.done().join();

            assertThat(finished).containsExactly("running", "a", "b", "c", "d");
        }
    }

    @Test
    void anAbandonedSequenceLeftRunningCountsItsTokensAsAbandonedAndOneStoppedCountsNone() {
        // One token per 1 ms step at 10x: 200 tokens take about 20 ms of wall time.
        CostModel slow = new CostModel("slow", 1_000_000, 0, 0, 1_000_000, 8, 1_000_000, 0);
        try (InflightBatchingEngine engine = new InflightBatchingEngine(slow, 10)) {
            InflightBatchingEngine.Sequence runsOn = engine.submit(1, 0, 200, generated -> { });
            runsOn.abandon(false);
            assertThat(runsOn.done().join().outputTokens()).isEqualTo(200);
            assertThat(engine.stats().abandonedTokens()).isEqualTo(200);

            InflightBatchingEngine.Sequence stopped = engine.submit(1, 0, 200, generated -> { });
            stopped.abandon(true);
            assertThat(stopped.done()).isCompletedExceptionally();
            assertThat(engine.stats().abandonedTokens()).as("none after the first's").isEqualTo(200);
        }
    }
}
