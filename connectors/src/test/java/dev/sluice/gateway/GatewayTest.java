package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tests for {@link Gateway}, against a backend whose calls the test answers by hand. */
class GatewayTest {

    /** Longer than the prefix the gateway hashes, so every request below shares it. */
    private static final String SHARED = "You are a careful assistant for one shared system prompt. Question ";

    private static GenerationRequest request(String id) {
        return GenerationRequest.of(id, "prompt " + id, 16);
    }

    @Test
    void requestsThatArriveTogetherLeaveInOneCallUpToTheBatchSize() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(4, 10_000, Duration.ofMillis(50), 8, 1, 8, true))) {
            List<CompletableFuture<Gateway.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(gateway.submit(request("r" + i), true, 0));
            }
            backend.awaitCalls(2);
            backend.answer(0);
            backend.answer(1);

            assertThat(backend.calls).extracting(List::size).containsExactly(4, 2);
            answers.forEach(a -> assertThat(a.join().result().text()).isEqualTo("ok"));
            assertThat(answers.get(0).join().batchSize()).isEqualTo(4);
            assertThat(gateway.stats().meanBatch()).isEqualTo(3.0);
            assertThat(gateway.batchSizes()).containsExactly(0, 0, 1, 0, 1);
        }
    }

    @Test
    void aTokenBudgetCutsTheBatch() throws Exception {
        ManualBackend backend = new ManualBackend();
        // Each request counts its prompt (about 2 tokens) plus 16 generated: two fit in 40 tokens, three do not.
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(10, 40, Duration.ofMillis(50), 8, 1, 8, true))) {
            for (int i = 0; i < 3; i++) {
                gateway.submit(request("t" + i), true, 0);
            }
            backend.awaitCalls(2);

            assertThat(backend.calls).extracting(List::size).containsExactly(2, 1);
        }
    }

    @Test
    void interactiveRequestsOvertakeQueuedBatchWork() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(1, 10_000, Duration.ZERO, 1, 1, 1, true))) {
            gateway.submit(request("bulk-0"), false, 0);
            backend.awaitCalls(1);
            // The one slot is taken: these queue.
            gateway.submit(request("bulk-1"), false, 0);
            gateway.submit(request("bulk-2"), false, 0);
            gateway.submit(request("urgent"), true, 0);
            Thread.sleep(50);

            backend.answer(0);
            backend.awaitCalls(2);

            assertThat(backend.calls.get(1).get(0).id()).isEqualTo("urgent");
        }
    }

    @Test
    void batchWorkLeavesRoomForInteractiveWorkOnlyWhileInteractiveWorkIsArriving() throws Exception {
        // A limit of 64, whose last eighth is the reserve; batches of 8.
        GatewayOptions options = new GatewayOptions(8, 10_000, Duration.ZERO, 64, 1, 64, true);
        ManualBackend quiet = new ManualBackend();
        ManualBackend busy = new ManualBackend();
        try (Gateway alone = new Gateway(quiet, options); Gateway beside = new Gateway(busy, options)) {
            beside.submit(request("urgent"), true, 0);
            busy.awaitCalls(1);
            busy.answer(0);
            for (int i = 0; i < 100; i++) {
                alone.submit(request("bulk-" + i), false, 0);
                beside.submit(request("bulk-" + i), false, 0);
            }
            quiet.awaitCalls(8);
            busy.awaitCalls(1 + 7);
            Thread.sleep(50);

            assertThat(quiet.calls.stream().mapToInt(List::size).sum()).as("batch work alone").isEqualTo(64);
            assertThat(busy.calls.stream().skip(1).mapToInt(List::size).sum()).as("beside interactive work")
                    .isEqualTo(56);
        }
    }

    @Test
    void aServersQueueIsKeptShortWhileSeveralTenantsWorkArrivesAndDeepForOnesAlone() throws Exception {
        // 16 slots, batches of 4; the gateway would allow 1024 in flight.
        GatewayOptions options = new GatewayOptions(4, 10_000, Duration.ZERO, 8, 1, 1024, true);
        ReportingBackend oneTenant = new ReportingBackend(16);
        ReportingBackend twoTenants = new ReportingBackend(16);
        ReportingBackend interactive = new ReportingBackend(16);
        try (Gateway alone = new Gateway(oneTenant, options); Gateway shared = new Gateway(twoTenants, options);
                Gateway beside = new Gateway(interactive, options)) {
            beside.submit(request("urgent"), true, 0);
            for (int i = 0; i < 100; i++) {
                alone.submit(request("bulk-" + i), false, 0, new Share("a", 1));
                shared.submit(request("bulk-" + i), false, 0, new Share(i % 2 == 0 ? "a" : "b", 1));
                beside.submit(request("bulk-" + i), false, 0, new Share("a", 1));
            }
            // Reports come every 20 ms; a request counts as unreported for up to two of them.
            Thread.sleep(Replica.LOAD_POLL_MILLIS * 15);

            assertThat(oneTenant.outstanding()).as("one tenant's work alone")
                    .isEqualTo(16 + Replica.QUEUED_AHEAD_ALONE);
            assertThat(twoTenants.outstanding()).as("two tenants' work").isEqualTo(16 + Replica.QUEUED_AHEAD);
            // Batch work up to the reserved slots, whose first the interactive request took.
            assertThat(interactive.outstanding()).as("beside interactive work")
                    .isEqualTo(16 - Replica.RESERVED_FOR_INTERACTIVE);
        }
    }

    @Test
    void aLightTenantsRequestsTakeTurnsWithAHeavyTenantsBacklog() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(1, 10_000, Duration.ZERO, 1, 1, 1, true))) {
            Share heavy = new Share("heavy", 1);
            Share light = new Share("light", 1);
            List<CompletableFuture<Gateway.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(gateway.submit(request("heavy-" + i), false, 0, heavy));
            }
            backend.awaitCalls(1);
            answers.add(gateway.submit(request("light-0"), false, 0, light));
            answers.add(gateway.submit(request("light-1"), false, 0, light));
            Thread.sleep(50);
            for (int call = 0; call < 12; call++) {
                backend.awaitCalls(call + 1);
                backend.answer(call);
            }
            answers.forEach(CompletableFuture::join);

            List<String> order = backend.calls.stream().map(call -> call.get(0).id()).toList();
            // First in first out would send them 11th and 12th.
            assertThat(order.subList(0, 5)).contains("light-0", "light-1");
        }
    }

    @Test
    void aRequestWhoseDeadlinePassesInTheQueueIsNeverSent() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(1, 10_000, Duration.ZERO, 1, 1, 1, true))) {
            gateway.submit(request("first"), true, 0);
            backend.awaitCalls(1);
            CompletableFuture<Gateway.Answer> late = gateway.submit(request("late"), true,
                    System.nanoTime() + Duration.ofMillis(20).toNanos());
            Thread.sleep(60);
            backend.answer(0);

            assertThatThrownBy(late::join).hasCauseInstanceOf(DeadlineExceededException.class);
            Thread.sleep(50);
            assertThat(backend.calls).hasSize(1);
        }
    }

    @Test
    void withdrawnRequestsLeaveTheQueueUnsentAndTheirCallIsCancelled() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(4, 10_000, Duration.ZERO, 1, 1, 1, true))) {
            CompletableFuture<Gateway.Answer> sent = gateway.submit(request("sent"), false, 0);
            backend.awaitCalls(1);
            // The one slot is taken: a cancelled run's other items wait behind it, with one other request.
            List<CompletableFuture<Gateway.Answer>> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                queued.add(gateway.submit(request("run-" + i), false, 0));
            }
            CompletableFuture<Gateway.Answer> kept = gateway.submit(request("kept"), false, 0);
            List<CompletableFuture<Gateway.Answer>> run = new ArrayList<>(queued);
            run.add(sent);

            assertThat(gateway.withdraw(run)).isEqualTo(3);
            queued.forEach(future -> assertThatThrownBy(future::join).isInstanceOf(CancellationException.class));
            assertThat(backend.answers.get(0).isCancelled()).as("the sent one's call").isTrue();
            assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            backend.awaitCalls(2);

            assertThat(backend.calls.get(1)).extracting(GenerationRequest::id).containsExactly("kept");
            backend.answer(1);
            assertThat(kept.get(5, TimeUnit.SECONDS).result().text()).isEqualTo("ok");
            assertThat(backend.calls).hasSize(2);
        }
    }

    @Test
    void aWithdrawnRequestWhoseCallFailsIsNotRetried() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(2, 10_000, Duration.ofSeconds(5), 2, 1, 2,
                true))) {
            CompletableFuture<Gateway.Answer> withdrawn = gateway.submit(request("withdrawn"), false, 0);
            CompletableFuture<Gateway.Answer> other = gateway.submit(request("other"), false, 0);
            backend.awaitCalls(1);

            assertThat(gateway.withdraw(List.of(withdrawn))).isZero();
            backend.fail(0, BackendException.retryable("server went away", null));
            backend.awaitCalls(2);
            backend.answer(1);

            assertThatThrownBy(() -> withdrawn.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            assertThat(other.get(5, TimeUnit.SECONDS).result().text()).isEqualTo("ok");
            assertThat(backend.calls.get(1)).as("only the other is retried").extracting(GenerationRequest::id)
                    .containsExactly("other");
            assertThat(gateway.stats().retries()).isEqualTo(1);
        }
    }

    @Test
    void requestsSharingAPrefixTravelSideBySide() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(8, 10_000, Duration.ofMillis(50), 8, 1, 8, true))) {
            gateway.submit(GenerationRequest.of("a1", "System A. question 1", 4), true, 0);
            gateway.submit(GenerationRequest.of("b1", "System B. question 1", 4), true, 0);
            gateway.submit(GenerationRequest.of("a2", "System A. question 2", 4), true, 0);
            gateway.submit(GenerationRequest.of("b2", "System B. question 2", 4), true, 0);
            backend.awaitCalls(1);

            assertThat(backend.calls.get(0)).extracting(GenerationRequest::id).containsExactly("a1", "a2", "b1", "b2");
        }
    }

    @Test
    void onAProtocolWithACallPerRequestOneRefusalFailsOnlyItsOwnRequest() throws Exception {
        ManualBackend backend = new ManualBackend(1);
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(4, 10_000, Duration.ofMillis(50), 8, 1, 8, true))) {
            List<CompletableFuture<Gateway.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answers.add(gateway.submit(request("r" + i), true, 0));
            }
            backend.awaitCalls(3);
            backend.answers.get(1).completeExceptionally(
                    dev.sluice.backend.BackendException.permanent("refused", null));
            backend.answer(0);
            backend.answer(2);

            assertThat(backend.calls).extracting(List::size).containsExactly(1, 1, 1);
            assertThat(answers.get(0).join().result().text()).isEqualTo("ok");
            assertThat(answers.get(2).join().result().text()).isEqualTo("ok");
            assertThatThrownBy(answers.get(1)::join).hasMessageContaining("refused");
            // All three came back in one dispatch, so they count as one batch.
            assertThat(answers.get(0).join().batchSize()).isEqualTo(3);
        }
    }

    @Test
    void aBackendThatThrowsFailsItsRequestsAndTheGatewayGoesOn() throws Exception {
        ManualBackend flaky = new ManualBackend() {
            private boolean thrown;

            @Override
            public CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch) {
                if (!thrown) {
                    thrown = true;
                    throw new IllegalStateException("template error");
                }
                return super.generate(batch);
            }
        };
        try (Gateway gateway = new Gateway(flaky, new GatewayOptions(1, 10_000, Duration.ZERO, 1, 1, 1, true))) {
            CompletableFuture<Gateway.Answer> first = gateway.submit(request("boom"), true, 0);
            assertThatThrownBy(first::join).hasMessageContaining("template error");

            CompletableFuture<Gateway.Answer> second = gateway.submit(request("fine"), true, 0);
            flaky.awaitCalls(1);
            flaky.answer(0);
            assertThat(second.join().result().text()).isEqualTo("ok");
        }
    }

    @Test
    void aBackendThatAnswersTooFewResultsFailsEveryRequestOfTheCall() throws Exception {
        ManualBackend backend = new ManualBackend();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(2, 10_000, Duration.ofMillis(50), 8, 1, 8, true))) {
            CompletableFuture<Gateway.Answer> first = gateway.submit(request("a"), false, 0);
            CompletableFuture<Gateway.Answer> second = gateway.submit(request("b"), false, 0);
            backend.awaitCalls(1);
            assertThat(backend.calls.get(0)).hasSize(2);
            GenerationRequest only = backend.calls.get(0).get(0);
            backend.answers.get(0).complete(List.of(new GenerationResult(only.id(), "ok", "stop", 1, 4, 0, 1, 0)));

            assertThatThrownBy(first::join).hasMessageContaining("answered 1 results for 2 requests");
            assertThatThrownBy(second::join).hasMessageContaining("answered 1 results for 2 requests");
        }
    }

    @Test
    void aBackendThatAnswersAMissingResultFailsTheCallAndFreesItsSlot() throws Exception {
        ManualBackend backend = new ManualBackend();
        // One slot: the next request goes through only if the failed call gave its slot back.
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(1, 10_000, Duration.ZERO, 1, 1, 1, true))) {
            CompletableFuture<Gateway.Answer> broken = gateway.submit(request("a"), true, 0);
            backend.awaitCalls(1);
            backend.answers.get(0).complete(java.util.Collections.singletonList(null));

            assertThatThrownBy(() -> broken.get(5, TimeUnit.SECONDS))
                    .hasMessageContaining("without a result");
            CompletableFuture<Gateway.Answer> next = gateway.submit(request("b"), true, 0);
            backend.awaitCalls(2);
            backend.answer(1);
            assertThat(next.join().result().text()).isEqualTo("ok");
        }
    }

    @Test
    void aPrefixGoesToTheReplicaItHashesToUntilThatReplicaIsFarBusier() throws Exception {
        ManualBackend first = new ManualBackend(1);
        ManualBackend second = new ManualBackend(1);
        GatewayOptions options = new GatewayOptions(1, 10_000, Duration.ZERO, 128, 1, 128, true);
        try (Gateway gateway = new Gateway(List.of(first, second), options)) {
            ManualBackend.awaitReady(gateway, 2);
            for (int i = 0; i < Gateway.BALANCE_ABS; i++) {
                gateway.submit(GenerationRequest.of("s" + i, SHARED + i, 4), true, 0);
            }
            awaitCalls(first, second, Gateway.BALANCE_ABS);
            // One prefix, one replica: the other sees nothing while the load is within the bound.
            assertThat(Math.min(first.calls.size(), second.calls.size())).isZero();

            for (int i = Gateway.BALANCE_ABS; i < 100; i++) {
                gateway.submit(GenerationRequest.of("s" + i, SHARED + i, 4), true, 0);
            }
            awaitCalls(first, second, 100);
            // Past it the least loaded replica takes the overflow.
            assertThat(Math.min(first.calls.size(), second.calls.size())).isPositive();
            assertThat(Math.abs(first.calls.size() - second.calls.size())).isLessThanOrEqualTo(
                    Gateway.BALANCE_ABS + 1);
        }
    }

    @Test
    void aReplicaIsFarBusierOnlyWhenItIsBothManyMoreAndManyTimesAsBusy() {
        assertThat(Gateway.imbalanced(Gateway.BALANCE_ABS, 0)).as("not yet many more").isFalse();
        assertThat(Gateway.imbalanced(Gateway.BALANCE_ABS + 1, 0)).isTrue();
        assertThat(Gateway.imbalanced(300, 200)).as("many more, not many times as busy").isFalse();
        assertThat(Gateway.imbalanced(301, 200)).isTrue();
    }

    @Test
    void aBatchForOneReplicaPassesOverRequestsBoundForAnotherWhichItsOwnBatchTakes() throws Exception {
        ManualBackend first = new ManualBackend();
        ManualBackend second = new ManualBackend();
        GatewayOptions options = new GatewayOptions(8, 10_000, Duration.ofMillis(50), 64, 1, 64, true);
        try (Gateway gateway = new Gateway(List.of(first, second), options)) {
            ManualBackend.awaitReady(gateway, 2);
            // Two prefixes, interleaved as they arrive; which replica each hashes to is the gateway's business.
            for (int i = 0; i < 8; i++) {
                String system = i % 2 == 0 ? "System A. " : "System B. ";
                gateway.submit(GenerationRequest.of((i % 2 == 0 ? "a" : "b") + i, system + SHARED + i, 4), true, 0);
            }
            awaitCalls(first, second, 2);
            List<List<GenerationRequest>> calls = new ArrayList<>(first.calls);
            calls.addAll(second.calls);
            // Each call carries one prefix, all four of its requests: none was carried along with the other's.
            assertThat(calls).hasSize(2).allSatisfy(call -> assertThat(call).hasSize(4)
                    .extracting(request -> request.id().charAt(0)).containsOnly(call.get(0).id().charAt(0)));
        }
    }

    @Test
    void aReplicaTakesAnothersRequestsOnlyForRoomItsOwnLeave() throws Exception {
        CountDownLatch checked = new CountDownLatch(1);
        // Both replicas' first checks wait for the latch, and requests wait for them: all ten are queued at once.
        ManualBackend first = new ManualBackend(Integer.MAX_VALUE, checked);
        ManualBackend second = new ManualBackend(Integer.MAX_VALUE, checked);
        GatewayOptions options = new GatewayOptions(8, 10_000, Duration.ofMillis(50), 4, 1, 4, true);
        try (Gateway gateway = new Gateway(List.of(first, second), options)) {
            // Eight requests for one prefix, then two for another, which hashes to the other replica.
            for (int i = 0; i < 8; i++) {
                gateway.submit(GenerationRequest.of("a" + i, "System A. " + SHARED + i, 4), true, 0);
            }
            for (int i = 0; i < 2; i++) {
                gateway.submit(GenerationRequest.of("b" + i, "System B. " + SHARED + i, 4), true, 0);
            }
            checked.countDown();
            awaitCalls(first, second, 2);

            // Each replica holds four. The B replica took the A prefix only for the room its own two left.
            List<GenerationRequest> withB = (first.calls.get(0).stream().anyMatch(r -> r.id().startsWith("b"))
                    ? first : second).calls.get(0);
            assertThat(withB).extracting(GenerationRequest::id).hasSize(4).contains("b0", "b1");
        }
    }

    /** Waits until the two backends have been called {@code calls} times between them. */
    private static void awaitCalls(ManualBackend first, ManualBackend second, int calls) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (first.calls.size() + second.calls.size() < calls && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        assertThat(first.calls.size() + second.calls.size()).isEqualTo(calls);
    }

    @Test
    void withoutAffinityTheLeastLoadedReplicaTakesEachBatch() throws Exception {
        ManualBackend first = new ManualBackend(1);
        ManualBackend second = new ManualBackend(1);
        GatewayOptions options = new GatewayOptions(1, 10_000, Duration.ZERO, 64, 1, 64, false);
        try (Gateway gateway = new Gateway(List.of(first, second), options)) {
            ManualBackend.awaitReady(gateway, 2);
            for (int i = 0; i < 10; i++) {
                gateway.submit(GenerationRequest.of("s" + i, SHARED + i, 4), true, 0);
            }
            Thread.sleep(100);

            assertThat(first.calls).hasSize(5);
            assertThat(second.calls).hasSize(5);
        }
    }
}
