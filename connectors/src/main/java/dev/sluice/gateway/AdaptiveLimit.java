package dev.sluice.gateway;

/**
 * How many requests a server should have in flight, learnt from what it takes to produce a token.
 *
 * <p>An in-flight batching server decodes every running sequence in one step, so while it has room a larger batch
 * costs little more per token, and beyond its batch or KV-cache capacity requests queue and the time per token of
 * each request climbs. Each completed call gives a sample of milliseconds per output token. The limit grows by
 * one for every sample within {@code tolerance} of the best recent time per token, and shrinks by
 * {@code backoff} when a sample exceeds it, as in additive-increase, multiplicative-decrease: it settles at the
 * knee of the throughput curve instead of a constant. The best time decays slowly so the limit can follow a server
 * whose speed changes.
 */
public final class AdaptiveLimit {

    static final double TOLERANCE = 2.0;
    static final double BACKOFF = 0.9;
    /** Share by which the best time per token forgets itself per sample, so a slower server is relearnt. */
    static final double DECAY = 0.001;

    private final int min;
    private final int max;
    private double limit;
    private double bestNanosPerToken = Double.NaN;

    public AdaptiveLimit(int initial, int min, int max) {
        this.limit = initial;
        this.min = min;
        this.max = max;
    }

    public synchronized int limit() {
        return (int) limit;
    }

    /**
     * A finished call: {@code nanos} from dispatch to answer, {@code tokens} generated per request; a call that
     * failed from overload ({@code dropped}) backs off at once.
     */
    public synchronized void onSample(long nanos, int tokens, boolean dropped) {
        if (dropped) {
            limit = Math.max(min, limit * BACKOFF);
            return;
        }
        double perToken = (double) nanos / Math.max(1, tokens);
        if (Double.isNaN(bestNanosPerToken) || perToken < bestNanosPerToken) {
            bestNanosPerToken = perToken;
        } else {
            bestNanosPerToken += (perToken - bestNanosPerToken) * DECAY;
        }
        if (perToken <= bestNanosPerToken * TOLERANCE) {
            limit = Math.min(max, limit + 1);
        } else {
            limit = Math.max(min, limit * BACKOFF);
        }
    }
}
