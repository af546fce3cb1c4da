package dev.sluice.routing;

/** What routing knows of the deployments' live state. */
public interface ModelAvailability {

    /** The deployment is failing and should get no requests for now. */
    boolean isDown(String modelId);

    /** Requests this process has at the model's server now. */
    int inFlight(String modelId);

    /** Every model up and idle: for explaining a decision offline. */
    static ModelAvailability allUp() {
        return new ModelAvailability() {
            @Override
            public boolean isDown(String modelId) {
                return false;
            }

            @Override
            public int inFlight(String modelId) {
                return 0;
            }
        };
    }
}
