package dev.sluice.backend;

import java.util.concurrent.CompletableFuture;

/** A backend whose server reports its own load, for routing and concurrency control. */
public interface ReportsLoad {

    CompletableFuture<ServerLoad> load();
}
