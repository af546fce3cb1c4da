package dev.sluice.backend;

import java.util.concurrent.CompletableFuture;

/** A backend whose server reports its own load, for routing and concurrency control. */
public interface ReportsLoad {

    /**
     * Longest a load call may take. A report older than this is of no use, and a poll with the full call timeout
     * against a hung server would pile up a new open call at every poll.
     */
    long LOAD_TIMEOUT_MILLIS = 1_000;

    CompletableFuture<ServerLoad> load();

    /**
     * Whether the server reports its load at all. A protocol whose servers report it only where the deployment says
     * where to read it (Triton's metrics port) says no without it, and then no one asks for a load.
     */
    default boolean reportsLoad() {
        return true;
    }
}
