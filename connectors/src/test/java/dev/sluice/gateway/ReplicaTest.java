package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tests for {@link Replica#bulkRoom()}: how much batch work a replica takes by what its server reports. */
class ReplicaTest {

    /** A limit of 64: batch work never takes its last 8, so 56 is the most the limit leaves it. */
    private static final GatewayOptions OPTIONS = new GatewayOptions(8, 10_000, Duration.ZERO, 64, 1, 64, true);

    @Test
    void aServerThatRunsRequestsAsTheyComeKeepsSlotsFreeForInteractiveWork() throws Exception {
        Replica replica = polled(new LoadedBackend(false, true, new ServerLoad(20, 0, 32, 0.5, 0, 0)));

        // 32 slots, 20 running, 8 kept free.
        assertThat(replica.bulkRoom()).isEqualTo(4);
        replica.sent(3, 3);
        assertThat(replica.bulkRoom()).isEqualTo(1);
    }

    @Test
    void aServerThatPrioritisesGetsItsFreeSlotsAndAFewToQueueAndNoneKeptFree() throws Exception {
        Replica replica = polled(new LoadedBackend(true, true, new ServerLoad(20, 0, 32, 0.5, 0, 0)));

        assertThat(replica.bulkRoom()).isEqualTo(32 - 20 + Replica.QUEUED_AT_A_PRIORITISING_SERVER);
        replica.sent(3, 3);
        assertThat(replica.bulkRoom()).isEqualTo(32 - 20 + Replica.QUEUED_AT_A_PRIORITISING_SERVER - 3);
    }

    @Test
    void aPrioritisingServerWhoseQueueIsFullTakesNoMore() throws Exception {
        Replica full = polled(new LoadedBackend(true, true,
                new ServerLoad(32, Replica.QUEUED_AT_A_PRIORITISING_SERVER, 32, 1, 0, 0)));
        Replica overfull = polled(new LoadedBackend(true, true, new ServerLoad(32, 10, 32, 1, 0, 0)));

        assertThat(full.bulkRoom()).isZero();
        assertThat(overfull.bulkRoom()).isNegative();
    }

    @Test
    void theLimitStillBoundsBatchWorkAtAPrioritisingServer() throws Exception {
        Replica replica = polled(new LoadedBackend(true, true, new ServerLoad(0, 0, 256, 0, 0, 0)));

        assertThat(replica.bulkRoom()).isEqualTo(56);
    }

    @Test
    void aBackendWhoseServerReportsNoLoadIsNeverAskedAndGoesByItsLimit() throws Exception {
        LoadedBackend silent = new LoadedBackend(true, false, new ServerLoad(32, 10, 32, 1, 0, 0));
        Replica replica = new Replica(silent, null, OPTIONS);
        replica.startPolling(() -> { });
        try {
            Thread.sleep(Replica.LOAD_POLL_MILLIS * 5);

            assertThat(silent.asked).isZero();
            assertThat(replica.bulkRoom()).isEqualTo(56);
        } finally {
            replica.stopPolling();
        }
    }

    /** A replica of {@code backend} once its first load report is in. */
    private static Replica polled(LoadedBackend backend) throws InterruptedException {
        Replica replica = new Replica(backend, null, OPTIONS);
        Semaphore reported = new Semaphore(0);
        replica.startPolling(reported::release);
        assertThat(reported.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
        replica.stopPolling();
        // An interrupted poller ends within a poll; until then a report of its own would undo what a test sends.
        Thread.sleep(Replica.LOAD_POLL_MILLIS * 5);
        return replica;
    }

    /** A backend whose server reports a fixed load, or none, and which may prioritise. */
    private static final class LoadedBackend extends ManualBackend implements ReportsLoad {
        private final boolean prioritises;
        private final boolean reports;
        private final ServerLoad load;
        private volatile int asked;

        LoadedBackend(boolean prioritises, boolean reports, ServerLoad load) {
            this.prioritises = prioritises;
            this.reports = reports;
            this.load = load;
        }

        @Override
        public boolean prioritisesServerSide() {
            return prioritises;
        }

        @Override
        public boolean reportsLoad() {
            return reports;
        }

        @Override
        public CompletableFuture<ServerLoad> load() {
            asked++;
            return CompletableFuture.completedFuture(load);
        }
    }
}
