package dev.sluice.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * A model served somewhere Sluice can call it.
 *
 * @param id the catalog id recorded on completions
 * @param backend the protocol; {@code triton} for now
 * @param endpoint {@code host:port} of the server's gRPC port
 * @param servedName the model's name on the server, e.g. {@code ensemble}
 * @param maxBatchSize most prompts per server call, within the model's {@code max_batch_size}; default 64
 */
public record ModelDeployment(String id, String backend, String endpoint, String servedName, int maxBatchSize)
        implements Serializable {

    public ModelDeployment {
        Objects.requireNonNull(id, "models[].id is required");
        backend = backend == null ? "triton" : backend;
        if (!backend.equals("triton")) {
            throw new IllegalArgumentException("model '" + id + "': backend '" + backend + "' is not supported; "
                    + "use triton");
        }
        Objects.requireNonNull(endpoint, "model '" + id + "': endpoint is required");
        servedName = servedName == null ? "ensemble" : servedName;
        maxBatchSize = maxBatchSize == 0 ? 64 : maxBatchSize;
    }

    ModelDeployment at(String newEndpoint) {
        return new ModelDeployment(id, backend, newEndpoint, servedName, maxBatchSize);
    }
}
