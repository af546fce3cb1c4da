package dev.sluice.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ModelDeployment;

/** {@link ModelDeployment} as compact JSON, the form it takes inside a {@link RoutedRequest}. */
final class Deployments {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Deployments() {}

    static String toJson(ModelDeployment deployment) {
        try {
            return JSON.writeValueAsString(deployment);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write deployment " + deployment.id(), e);
        }
    }

    static ModelDeployment fromJson(String json) {
        try {
            return JSON.readValue(json, ModelDeployment.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a deployment: " + json, e);
        }
    }
}
