package dev.sluice.routing;

import java.util.OptionalInt;

/**
 * What routing knows of the deployments' live state, per model as served at an endpoint: another server under the
 * same model id has a health of its own.
 */
public interface ModelAvailability {

    /** The deployment is failing and should get no requests for now. */
    boolean isDown(String modelId, String endpoint);

    /** Requests this process has at the model's server now. */
    int inFlight(String modelId, String endpoint);

    /**
     * The context the model's servers said they serve, once a request has reached them and they passed a readiness
     * check; empty until then, or where their protocol reports none.
     */
    default OptionalInt servedContext(String modelId, String endpoint) {
        return OptionalInt.empty();
    }

    /**
     * {@code prompt}'s tokens by the model's own tokenizer, where its servers' client holds one (SGLang's scheduler
     * protocol, once a request has reached them); empty elsewhere, and routing estimates.
     */
    default OptionalInt promptTokens(String modelId, String endpoint, String prompt) {
        return OptionalInt.empty();
    }

    /** Every model up and idle: for explaining a decision offline. */
    static ModelAvailability allUp() {
        return new ModelAvailability() {
            @Override
            public boolean isDown(String modelId, String endpoint) {
                return false;
            }

            @Override
            public int inFlight(String modelId, String endpoint) {
                return 0;
            }
        };
    }
}
