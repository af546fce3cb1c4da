package dev.sluice.job;

/**
 * A tenant's tokens-per-minute quota as a token bucket: it holds up to a minute's tokens, refills at the quota's
 * rate, and a request takes the tokens it may use (its prompt, estimated, and its {@code max_tokens}), as hosted
 * APIs count a request against their token rate limits before it runs.
 *
 * @param tokens tokens in the bucket
 * @param atMillis when {@code tokens} was reckoned, epoch ms
 */
record TokenBucket(double tokens, long atMillis) {

    /** A full bucket at {@code now}. */
    static TokenBucket full(long perMinute, long now) {
        return new TokenBucket(perMinute, now);
    }

    /** The bucket at {@code now}, refilled since it was last reckoned, never beyond a minute's tokens. */
    TokenBucket at(long now, long perMinute) {
        double refilled = tokens + Math.max(0, now - atMillis) * perMinute / 60_000.0;
        return new TokenBucket(Math.min(perMinute, refilled), Math.max(now, atMillis));
    }

    boolean has(int wanted) {
        return tokens >= wanted;
    }

    TokenBucket take(int taken) {
        return new TokenBucket(tokens - taken, atMillis);
    }

    /** Milliseconds from {@link #atMillis} until the bucket holds {@code wanted}, at least 1. */
    long millisUntil(int wanted, long perMinute) {
        return Math.max(1, (long) Math.ceil((wanted - tokens) * 60_000.0 / perMinute));
    }
}
