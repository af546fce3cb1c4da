package dev.sluice.job;

import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RouteExplanation;

/**
 * A request with the model the router chose for it. The deployment travels as JSON so that a catalog reloaded
 * with a new deployment reaches the inference operator with the request itself.
 * Public with a canonical constructor so Flink serializes it as a POJO, in state too.
 *
 * @param request the request
 * @param modelId the chosen model's catalog id
 * @param deployment the chosen deployment, as {@link Deployments#toJson} writes it
 * @param explanation why this model
 */
public record RoutedRequest(PromptRequest request, String modelId, String deployment, RouteExplanation explanation) {}
