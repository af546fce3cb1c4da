package dev.sluice.routing;

import dev.sluice.config.ModelDeployment;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RouteExplanation;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Routes by task alone, from the configured route table ({@code routes:} in sluice.yaml); the {@code default}
 * entry catches tasks without their own. Requests whose task has no route get none.
 */
public final class StaticRouter {

    static final String DEFAULT_ROUTE = "default";

    private final Map<String, ModelDeployment> modelsById;
    private final Map<String, String> routes;

    public StaticRouter(List<ModelDeployment> models, Map<String, String> routes) {
        this.modelsById = models.stream().collect(java.util.stream.Collectors.toMap(ModelDeployment::id, m -> m));
        this.routes = Map.copyOf(routes);
    }

    public Optional<Route> route(PromptRequest request) {
        String task = request.getTask().name().toLowerCase(Locale.ROOT);
        String key = routes.containsKey(task) ? task : DEFAULT_ROUTE;
        String modelId = routes.get(key);
        if (modelId == null) {
            return Optional.empty();
        }
        String because = key.equals(task)
                ? "the route table sends task '" + task + "' to " + modelId
                : "task '" + task + "' has no route of its own; the default route is " + modelId;
        return Optional.of(new Route(modelsById.get(modelId),
                RouteExplanation.newBuilder().setChosenBecause(because).build()));
    }
}
