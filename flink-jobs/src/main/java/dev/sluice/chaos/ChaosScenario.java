package dev.sluice.chaos;

import dev.sluice.emulator.EmulatorServer;
import java.time.Duration;

/** The faults {@code sluice bench chaos} injects, each into a pipeline under steady load. */
public enum ChaosScenario {

    /** No fault: what the others are read against. */
    NONE("none", "no fault") {
        @Override
        void inject(ChaosRun run) {
        }
    },

    TASK_FAILURE("task-failure", "a task fails mid-stream; the job restores its last checkpoint") {
        @Override
        void inject(ChaosRun run) throws InterruptedException {
            run.failATask();
        }
    },

    SAVEPOINT_RESCALE("savepoint-rescale", "stop with a savepoint at parallelism 1, resume from it at 2") {
        @Override
        int initialParallelism() {
            return 1;
        }

        @Override
        void inject(ChaosRun run) throws Exception {
            run.restartFromSavepoint(2);
        }
    },

    BACKEND_OUTAGE("backend-outage",
            "one primary replica down 6 s, both for 3 s of it: retries, circuits, failover to the fallback") {
        @Override
        void inject(ChaosRun run) throws InterruptedException {
            run.stack().primaries.get(0).faults().unavailableFor(Duration.ofSeconds(6));
            Thread.sleep(1_500);
            run.stack().primaries.get(1).faults().unavailableFor(Duration.ofSeconds(3));
            Thread.sleep(4_500);
        }
    },

    SLOW_BACKEND("slow-backend", "every GPU 10 times slower for 5 s") {
        @Override
        void inject(ChaosRun run) throws InterruptedException {
            run.stack().servers.forEach(server -> server.faults().slowdown(10));
            Thread.sleep(5_000);
            run.stack().servers.forEach(server -> server.faults().slowdown(1));
        }
    },

    BROKER_RESTART("broker-restart", "the Kafka broker stopped for 3 s and started again on the same log dir") {
        @Override
        void inject(ChaosRun run) {
            run.stack().kafka.restart(Duration.ofSeconds(3));
        }
    },

    STREAM_CUT("stream-cut", "the primary's streams cut after 6 tokens for 3 s") {
        @Override
        void inject(ChaosRun run) throws InterruptedException {
            run.stack().primaries.forEach(server -> server.faults().dropStreamsAfterTokens(6));
            Thread.sleep(3_000);
            run.stack().primaries.forEach(server -> server.faults().dropStreamsAfterTokens(0));
        }
    };

    private final String label;
    private final String description;

    ChaosScenario(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    int initialParallelism() {
        return 2;
    }

    /** Injects the fault and returns once it is over; the load keeps coming meanwhile. */
    abstract void inject(ChaosRun run) throws Exception;

    /** The scenario called {@code label}. */
    public static ChaosScenario named(String label) {
        for (ChaosScenario scenario : values()) {
            if (scenario.label.equals(label)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("no chaos scenario '" + label + "'");
    }

    /** Clears every fault the scenarios inject. */
    static void clear(Iterable<EmulatorServer> servers) {
        servers.forEach(server -> server.faults().clear());
    }
}
