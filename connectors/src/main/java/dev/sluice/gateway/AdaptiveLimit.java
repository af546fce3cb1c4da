package dev.sluice.gateway;

/**
 * How many requests a server should have in flight, learnt from what it takes to produce a token.
 *
 * <p>An in-flight batching server decodes every running sequence in one step, so while it has room a larger batch
 * costs little more per token (a full batch costs about twice a lone sequence's step), and beyond its batch or
 * KV-cache capacity requests queue and the time per token of each request climbs without bound. Each completed
 * call gives a sample of time per output token. While samples stay within {@code tolerance} (4x) of the best recent
 * one, the limit grows by the call's size (at most doubling per sample, as a slow start); a sample beyond it
 * shrinks the limit by {@code backoff}, as in additive-increase, multiplicative-decrease. It settles at the knee
 * of the throughput curve instead of a constant. The best time decays slowly, so the limit follows a server whose
 * speed changes.
 */
public final class AdaptiveLimit {

    static final double TOLERANCE = 4.0;
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
     * A finished call of {@code requests} requests: {@code nanos} from dispatch to answer, {@code tokens} generated
     * per request; a call that failed from overload ({@code dropped}) backs off at once.
     */
    public synchronized void onSample(long nanos, int tokens, int requests, boolean dropped) {
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
            limit = Math.min(max, limit + Math.min(requests, limit));
        } else {
            limit = Math.max(min, limit * BACKOFF);
        }
    }
}
