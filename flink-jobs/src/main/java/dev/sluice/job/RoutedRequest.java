package dev.sluice.job;

import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RouteExplanation;
import java.util.List;

/**
 * A request with the models the router found eligible for it, best first: the first is the choice, the rest are
 * where it fails over to when the choice's servers fail it. Deployments travel as JSON so that a catalog reloaded
 * with a new deployment reaches the inference operator with the request itself.
 * Public with a canonical constructor so Flink serializes it as a POJO, in state too.
 *
 * @param request the request
 * @param targets eligible models, best first, at most {@link RouteFunction#MAX_TARGETS}; never empty
 * @param explanation why the first
 * @param weight its tenant's weight in the gateways' fair queuing, from the tenant's policy
 */
public record RoutedRequest(PromptRequest request, List<Target> targets, RouteExplanation explanation,
        double weight) {

    /**
     * An eligible model and where it is served.
     *
     * @param modelId the model's catalog id
     * @param deployment its deployment, as {@link Deployments#toJson} writes it
     * @param license the model's licence id
     * @param obligations what the licence asks of whoever uses the answer ({@link dev.sluice.routing.Obligations})
     */
    public record Target(String modelId, String deployment, String license, List<String> obligations) {}

    /** The router's choice. */
    Target chosen() {
        return targets.get(0);
    }
}
