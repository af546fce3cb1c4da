package dev.sluice.emulator;

import io.grpc.Status;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults to inject into a running emulator, for reliability tests: an outage, errors on every Nth inference
 * call, slow GPUs, streams cut off mid-way, and a server that generates on for calls its clients cancelled. All
 * off by default; thread-safe.
 */
public final class Faults {

    private final List<InflightBatchingEngine> engines;
    private final AtomicLong calls = new AtomicLong();
    private volatile long unavailableUntilNanos;
    private volatile int errorEveryNth;
    private volatile String errorCode = Status.Code.INTERNAL.name();
    private volatile int dropStreamsAfterTokens;
    private volatile boolean ignoreCancellation;

    /** Faults for a server running {@code engines}; slowdowns apply to all of them. */
    public Faults(Collection<InflightBatchingEngine> engines) {
        this.engines = List.copyOf(engines);
    }

    /**
     * Every inference call fails with UNAVAILABLE for {@code duration} from now, and streams open meanwhile are cut,
     * as when a server goes down.
     */
    public void unavailableFor(Duration duration) {
        unavailableUntilNanos = System.nanoTime() + duration.toNanos();
    }

    /** Every Nth inference call fails with INTERNAL, an error no client retries; 0 turns this off. */
    public void errorEveryNth(int n) {
        errorEveryNth(n, Status.Code.INTERNAL);
    }

    /**
     * Every Nth inference call fails with {@code code}: {@code UNAVAILABLE} or {@code RESOURCE_EXHAUSTED} for a
     * server that sheds load, which clients retry; 0 turns this off.
     */
    public void errorEveryNth(int n, Status.Code code) {
        errorCode = code.name();
        errorEveryNth = n;
    }

    /** Every GPU step takes {@code factor} times as long; 1 is normal speed. */
    public void slowdown(double factor) {
        engines.forEach(engine -> engine.slowdown(factor));
    }

    /** Streams end with UNAVAILABLE once they have sent {@code tokens} tokens; 0 turns this off. */
    public void dropStreamsAfterTokens(int tokens) {
        dropStreamsAfterTokens = tokens;
    }

    /**
     * Whether cancelled calls (and calls past their deadline, which gRPC cancels) go on generating to the end, as
     * a server that never looks at cancellation does; their tokens count as abandoned either way.
     */
    public void ignoreCancellation(boolean ignore) {
        ignoreCancellation = ignore;
    }

    /** The client gave up on {@code sequence}: it stops, unless cancellation is ignored. */
    public void abandon(InflightBatchingEngine.Sequence sequence) {
        sequence.abandon(!ignoreCancellation);
    }

    /** Clears every fault. */
    public void clear() {
        unavailableUntilNanos = 0;
        errorEveryNth = 0;
        dropStreamsAfterTokens = 0;
        ignoreCancellation = false;
        slowdown(1);
    }

    /**
     * The fault this inference call meets, or null: the name of a gRPC status code ({@code UNAVAILABLE},
     * {@code RESOURCE_EXHAUSTED}, ...), which servers on other protocols translate into theirs.
     */
    public String failureForNextCall() {
        if (isUnavailable()) {
            return "UNAVAILABLE";
        }
        long call = calls.incrementAndGet();
        int n = errorEveryNth;
        return n > 0 && call % n == 0 ? errorCode : null;
    }

    /** Whether the server is down now. */
    public boolean isUnavailable() {
        long until = unavailableUntilNanos;
        return until != 0 && System.nanoTime() < until;
    }

    /** Whether a stream that has sent {@code tokens} tokens is cut now: past the set tokens, or in an outage. */
    public boolean dropsStreamAt(int tokens) {
        int limit = dropStreamsAfterTokens;
        return (limit > 0 && tokens >= limit) || isUnavailable();
    }
}
