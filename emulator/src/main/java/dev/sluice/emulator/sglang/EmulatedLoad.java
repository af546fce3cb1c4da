package dev.sluice.emulator.sglang;

import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EngineStats;
import dev.sluice.emulator.InflightBatchingEngine;

/** An emulated worker's load in SGLang's terms, shared by both SGLang dialects. */
record EmulatedLoad(int running, int waiting, int usedTokens, int maxTokens, double tokenUsage,
        double throughput, double cacheHitRate, double utilization, int maxRunning) {

    static EmulatedLoad of(EmulatedModel model, long startedNanos) {
        InflightBatchingEngine.Load load = model.engine().load();
        EngineStats.Snapshot stats = model.engine().stats();
        double elapsedSeconds = Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
        return new EmulatedLoad(load.running(), load.waiting(), (int) load.kvTokens(), (int) load.kvCapacity(),
                (double) load.kvTokens() / load.kvCapacity(), stats.outputTokens() / elapsedSeconds,
                model.prefixCache() == null ? 0 : model.prefixCache().hitRate(),
                (double) load.running() / load.maxRunning(), load.maxRunning());
    }
}
