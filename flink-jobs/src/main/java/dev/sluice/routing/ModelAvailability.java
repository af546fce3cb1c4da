package dev.sluice.routing;

/**
 * What routing knows of the deployments' live state, per model as served at an endpoint: another server under the
 * same model id has a health of its own.
 */
public interface ModelAvailability {

    /** The deployment is failing and should get no requests for now. */
    boolean isDown(String modelId, String endpoint);

    /** Requests this process has at the model's server now. */
    int inFlight(String modelId, String endpoint);

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
