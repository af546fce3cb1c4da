package dev.sluice.chaos;

import dev.sluice.emulator.EmulatorServer;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RoutingHints;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;

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
    },

    LONG_OUTAGE("long-outage", "every replica of the primary and of the fallback down for 3 times the request"
            + " timeout; the load is bulk work, held until they return") {
        @Override
        void shape(int index, PromptRequest.Builder request) {
            request.setPriority(Priority.BATCH);
        }

        @Override
        void inject(ChaosRun run) throws InterruptedException {
            Duration outage = run.requestTimeout().multipliedBy(3);
            eligibleServers(run).forEach(server -> server.faults().unavailableFor(outage));
            Thread.sleep(outage.toMillis());
        }
    },

    REPLICA_DOWN_AT_START("replica-down-at-start", "one primary replica down as the job starts, back a quarter"
            + " of the way in; 3 s later the other goes down for 3 s, so the late one must have joined to serve") {
        @Override
        void beforeStart(ChaosRun run) {
            run.stack().primaries.get(0).faults().unavailableFor(Duration.ofDays(1));
        }

        @Override
        void inject(ChaosRun run) throws InterruptedException {
            run.stack().primaries.get(0).faults().clear();
            // One replica has room for the whole load: only with the other down does the late one have to serve.
            Thread.sleep(3_000);
            run.stack().primaries.get(1).faults().unavailableFor(Duration.ofSeconds(3));
            Thread.sleep(3_000);
        }
    },

    MUTUAL_FAILOVER("mutual-failover", "half the prompts prefer the fallback: the two models are each other's"
            + " fallback, and both fail together: every second call UNAVAILABLE for 6 s, every call for 2 s of it") {
        @Override
        void shape(int index, PromptRequest.Builder request) {
            if (index % 2 == 1) {
                request.setHints(RoutingHints.newBuilder().setPreferredModel(ChaosStack.FALLBACK).build());
            }
        }

        @Override
        void inject(ChaosRun run) throws InterruptedException {
            List<EmulatorServer> servers = eligibleServers(run);
            servers.forEach(server -> server.faults().errorEveryNth(2, Status.Code.UNAVAILABLE));
            Thread.sleep(2_000);
            servers.forEach(server -> server.faults().unavailableFor(Duration.ofSeconds(2)));
            Thread.sleep(4_000);
            servers.forEach(server -> server.faults().errorEveryNth(0));
        }
    },

    LONG_BROKER_OUTAGE("long-broker-outage", "the Kafka broker stopped for twice the request timeout and started"
            + " again on the same log dir") {
        @Override
        void inject(ChaosRun run) {
            run.stack().kafka.restart(run.requestTimeout().multipliedBy(2));
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

    /** What the scenario sets on the {@code index}th steady prompt; nothing unless it says. */
    void shape(int index, PromptRequest.Builder request) {
    }

    /** What is wrong before the job starts; nothing unless the scenario says. */
    void beforeStart(ChaosRun run) {
    }

    /** Injects the fault and returns once it is over; the load keeps coming meanwhile. */
    abstract void inject(ChaosRun run) throws Exception;

    /** The servers of the models the tenant may use: the primary's replicas and the fallback's. */
    private static List<EmulatorServer> eligibleServers(ChaosRun run) {
        return List.of(run.stack().primaries.get(0), run.stack().primaries.get(1), run.stack().fallback);
    }

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
