package dev.sluice.emulator.openai;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/** The completions an emulator has ended, by the finish reason its server reports them with. */
final class FinishedRequests {

    /** A completion ended without its answer: the client left, or the engine closed under it. */
    static final String ABORT = "abort";

    private final ConcurrentMap<String, LongAdder> byReason = new ConcurrentHashMap<>();

    void add(String finishReason) {
        byReason.computeIfAbsent(finishReason, reason -> new LongAdder()).increment();
    }

    /** How many ended with {@code finishReason}. */
    long count(String finishReason) {
        LongAdder count = byReason.get(finishReason);
        return count == null ? 0 : count.sum();
    }
}
