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
     * An eligible model and how well it fits.
     *
     * @param model the model
     * @param score higher is better
     * @param reasons what the score is made of
     */
    public record Scored(CatalogModel model, double score, List<String> reasons) {}

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
