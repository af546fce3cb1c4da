package dev.sluice.routing;

import dev.sluice.config.ModelDeployment;
import dev.sluice.schema.RouteExplanation;
import java.util.Objects;

/**
 * Where one request goes, and why.
 *
 * @param model the chosen deployment
 * @param explanation recorded on the completion
 */
public record Route(ModelDeployment model, RouteExplanation explanation) {

    public Route {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(explanation, "explanation");
    }
}
