package dev.sluice.routing;

import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RouteExclusion;
import java.util.List;
import java.util.Objects;

/**
 * The router's answer for one request: a model, or none and why, with every model it passed over.
 *
 * @param chosen the chosen model, or null
 * @param because why it was chosen, or why nothing could be
 * @param rejectReason null when a model was chosen
 * @param excluded the models not chosen, each with its reason
 * @param ranking the eligible models in order of preference, with their scores
 */
public record RouteDecision(CatalogModel chosen, String because, RejectReason rejectReason,
        List<RouteExclusion> excluded, List<Scored> ranking) {

    /**
     * An eligible model and what placed it where it is in the ranking.
     *
     * @param model the model (its cost and parameters are the catalog's)
     * @param benchmark the benchmark the request's task is ranked on
     * @param quality its score on that benchmark in points out of 100, or null where none is published
     * @param goodEnough within the quality margin of the best among the models of its preference and health: one
     *     the request may go to when a cheaper or less loaded one is chosen instead
     * @param inFlight requests in flight at its servers from this process when it was ranked
     * @param reasons its place in words, one clause per rule of the ranking
     */
    public record Scored(CatalogModel model, Benchmark benchmark, Double quality, boolean goodEnough, int inFlight,
            List<String> reasons) {

        public Scored {
            reasons = List.copyOf(reasons);
        }
    }

    public RouteDecision {
        Objects.requireNonNull(because, "because");
        if ((chosen == null) == (rejectReason == null)) {
            throw new IllegalArgumentException("a decision either chooses a model or gives a reject reason");
        }
        excluded = List.copyOf(excluded);
        ranking = List.copyOf(ranking);
    }

    public boolean isRouted() {
        return chosen != null;
    }
}
