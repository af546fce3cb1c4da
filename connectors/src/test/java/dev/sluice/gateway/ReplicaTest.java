package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tests for {@link Replica#room()} and {@link Replica#bulkRoom}: what a replica takes by what its server reports. */
class ReplicaTest {

    /** A limit of 64: batch work never takes its last 8, so 56 is the most the limit leaves it. */
    private static final GatewayOptions OPTIONS = new GatewayOptions(8, 10_000, Duration.ZERO, 64, 1, 64, true);

    @Test
    void aServerThatRunsRequestsAsTheyComeKeepsSlotsFreeForInteractiveWork() throws Exception {
        Replica replica = polled(new LoadedBackend(true, new ServerLoad(20, 0, 32, 0.5, 0, 0)));

        // 32 slots, 20 running, 8 kept free.
        assertThat(replica.bulkRoom(Traffic.INTERACTIVE)).isEqualTo(4);
        replica.sent(3, 3);
        assertThat(replica.bulkRoom(Traffic.INTERACTIVE)).isEqualTo(1);
    }

    @Test
    void batchWorkTakesTheReserveWhenNoInteractiveWorkIsArrivingAndQueuesDeeperWhenOneTenantsWorkIsAlone()
            throws Exception {
        Replica reported = polled(new LoadedBackend(true, new ServerLoad(20, 0, 32, 0.5, 0, 0)));
        Replica unreported = new Replica(new LoadedBackend(false, null), null, OPTIONS);

        // 32 slots, 20 running: 12 free, and 8 to queue while several tenants' work arrives, 32 for one's alone.
        assertThat(reported.bulkRoom(Traffic.TENANTS)).isEqualTo(12 + Replica.QUEUED_AHEAD)
                .isEqualTo(reported.room(Traffic.TENANTS));
        assertThat(reported.bulkRoom(Traffic.BATCH)).isEqualTo(12 + Replica.QUEUED_AHEAD_ALONE)
                .isEqualTo(reported.room(Traffic.BATCH));
        assertThat(unreported.bulkRoom(Traffic.TENANTS)).isEqualTo(64);
        assertThat(unreported.bulkRoom(Traffic.BATCH)).isEqualTo(64);
    }

    @Test
    void aServerThatSaysWhatItRunsGetsItsFreeSlotsAndAFewToQueueWhateverTheLatencyLimit() throws Exception {
        GatewayOptions smallLimit = new GatewayOptions(8, 10_000, Duration.ZERO, 8, 1, 1024, true);
        Replica replica = polled(new LoadedBackend(true, new ServerLoad(100, 0, 256, 0.5, 0, 0)), smallLimit);

        assertThat(replica.limit.limit()).isEqualTo(8);
        assertThat(replica.room(Traffic.TENANTS)).isEqualTo(256 - 100 + Replica.QUEUED_AHEAD);
        replica.sent(64, 0);
        assertThat(replica.room(Traffic.TENANTS)).isEqualTo(256 - 100 + Replica.QUEUED_AHEAD - 64);
    }

    @Test
    void aServerWhoseQueueIsFullTakesNoMore() throws Exception {
        Replica full = polled(new LoadedBackend(true, new ServerLoad(32, Replica.QUEUED_AHEAD, 32, 1, 0, 0)));
        Replica overfull = polled(new LoadedBackend(true, new ServerLoad(32, 20, 32, 1, 0, 0)));

        assertThat(full.room(Traffic.TENANTS)).isZero();
        assertThat(overfull.room(Traffic.TENANTS)).isNegative();
        assertThat(full.bulkRoom(Traffic.INTERACTIVE)).isNegative();
    }

    @Test
    void interactiveRequestsMayWaitAtAFullServerWhereBatchWorkMayNot() throws Exception {
        Replica full = polled(new LoadedBackend(true, new ServerLoad(32, 0, 32, 1, 0, 0)));
        Replica queued = polled(new LoadedBackend(true,
                new ServerLoad(32, Replica.QUEUED_AHEAD_INTERACTIVE, 32, 1, 0, 0)));

        // Every slot taken and none waiting: an interactive request waits there for the next slot to free.
        assertThat(full.room(Traffic.INTERACTIVE)).isEqualTo(Replica.QUEUED_AHEAD_INTERACTIVE);
        assertThat(full.bulkRoom(Traffic.INTERACTIVE)).isNegative();
        assertThat(queued.room(Traffic.INTERACTIVE)).isZero();
    }

    @Test
    void theGatewaysMostInFlightBoundsWhatAServerReportsItCanTake() throws Exception {
        Replica replica = polled(new LoadedBackend(true, new ServerLoad(0, 0, 256, 0, 0, 0)));

        assertThat(replica.room(Traffic.INTERACTIVE)).isEqualTo(64);
        assertThat(replica.bulkRoom(Traffic.INTERACTIVE))
                .isEqualTo(64 - Replica.QUEUED_AHEAD - Replica.RESERVED_FOR_INTERACTIVE);
    }

    @Test
    void aRequestStaysCountedUntilAReportAskedForAPollAfterItWasSent() throws Exception {
        CompletableFuture<ServerLoad> second = new CompletableFuture<>();
        LoadedBackend backend = new LoadedBackend(true, new ServerLoad(100, 0, 256, 0.5, 0, 0), second);
        Replica replica = new Replica(backend, null, new GatewayOptions(8, 10_000, Duration.ZERO, 8, 1, 1024, true));
        // The room as each report left it, read on the poller's thread before it asks again.
        List<Integer> rooms = new CopyOnWriteArrayList<>();
        replica.startPolling(() -> {
            if (rooms.isEmpty()) {
                // Sent before the second ask, perhaps still on its way into the server's scheduler when it is made.
                replica.sent(5, 0);
            }
            rooms.add(replica.room(Traffic.TENANTS));
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (backend.asked < 2) {
                assertThat(System.nanoTime()).as("the second ask").isLessThan(deadline);
                Thread.onSpinWait();
            }
            // Sent while the second report is on its way: it cannot hold these.
            replica.sent(10, 10);
            second.complete(new ServerLoad(115, 0, 256, 0.5, 0, 0));
            while (rooms.size() < 4) {
                assertThat(System.nanoTime()).as("four reports").isLessThan(deadline);
                Thread.sleep(1);
            }

            int free = 256 - 115 + Replica.QUEUED_AHEAD;
            // The second report counts all 15 as unreported; the third was asked for after the 5, the fourth after
            // all 15.
            assertThat(rooms.subList(1, 4)).containsExactly(free - 15, free - 10, free);
        } finally {
            replica.stopPolling();
        }
    }

    @Test
    void aBackendWhoseServerReportsNoLoadIsNeverAskedAndGoesByItsLimit() throws Exception {
        LoadedBackend silent = new LoadedBackend(false, new ServerLoad(32, 10, 32, 1, 0, 0));
        Replica replica = new Replica(silent, null, OPTIONS);
        replica.startPolling(() -> { });
        try {
            Thread.sleep(Replica.LOAD_POLL_MILLIS * 5);

            assertThat(silent.asked).isZero();
            assertThat(replica.bulkRoom(Traffic.INTERACTIVE)).isEqualTo(56);
        } finally {
            replica.stopPolling();
        }
    }

    /** A replica of {@code backend} once its first load report is in. */
    private static Replica polled(LoadedBackend backend) throws InterruptedException {
        return polled(backend, OPTIONS);
    }

    private static Replica polled(LoadedBackend backend, GatewayOptions options) throws InterruptedException {
        Replica replica = new Replica(backend, null, options);
        Semaphore reported = new Semaphore(0);
        replica.startPolling(reported::release);
        assertThat(reported.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
        replica.stopPolling();
        // An interrupted poller ends within a poll; until then a report of its own would undo what a test sends.
        Thread.sleep(Replica.LOAD_POLL_MILLIS * 5);
        return replica;
    }

    /** A backend whose server reports a fixed load, or none; or a later report that comes when a test says. */
    private static final class LoadedBackend extends ManualBackend implements ReportsLoad {
        private final boolean reports;
        private final ServerLoad load;
        private final CompletableFuture<ServerLoad> later;
        private volatile int asked;

        LoadedBackend(boolean reports, ServerLoad load) {
            this(reports, load, null);
        }

        /** Reports {@code load} first, then {@code later} for every report after. */
        LoadedBackend(boolean reports, ServerLoad load, CompletableFuture<ServerLoad> later) {
            this.reports = reports;
            this.load = load;
            this.later = later;
        }

        @Override
        public boolean reportsLoad() {
            return reports;
        }

        @Override
        public CompletableFuture<ServerLoad> load() {
            asked++;
            return later != null && asked > 1 ? later : CompletableFuture.completedFuture(load);
        }
    }
}
