package dev.sluice.routing;

import java.io.Serializable;

/**
 * How the router trades quality against cost and load, set by the operator in the catalog's {@code ranking:}.
 *
 * @param qualityMargin points out of 100 (see {@link Benchmark#points}) a model may score below the best eligible
 *     one and still count as good enough, so that the cheapest of those is chosen; 0 always takes the best scorer
 * @param spillInFlight requests in flight at a model's servers from this process at which its queue counts as long:
 *     the next good-enough model is tried first until it drains
 */
public record RankingSettings(Double qualityMargin, Integer spillInFlight) implements Serializable {

    public static final double DEFAULT_QUALITY_MARGIN = 3.0;
    public static final int DEFAULT_SPILL_IN_FLIGHT = 64;
    /** A margin wider than this would call every model good enough: not a ranking any more. */
    private static final double MAX_QUALITY_MARGIN = 50;

    public static final RankingSettings DEFAULTS = new RankingSettings(null, null);

    public RankingSettings {
        qualityMargin = qualityMargin == null ? DEFAULT_QUALITY_MARGIN : qualityMargin;
        spillInFlight = spillInFlight == null ? DEFAULT_SPILL_IN_FLIGHT : spillInFlight;
        if (!(qualityMargin >= 0 && qualityMargin <= MAX_QUALITY_MARGIN)) {
            throw new IllegalArgumentException("ranking.quality-margin must be between 0 and " + MAX_QUALITY_MARGIN
                    + " points, got " + qualityMargin);
        }
        if (spillInFlight < 1) {
            throw new IllegalArgumentException("ranking.spill-in-flight must be at least 1, got " + spillInFlight);
        }
    }
}
