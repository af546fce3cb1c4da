package dev.sluice.gateway;

import java.util.Objects;

/**
 * Whose a request is, for the gateway's fair queuing ({@link FairQueue}): tenants waiting at once are served tokens
 * in proportion to their weights.
 *
 * @param tenant the tenant
 * @param weight its share relative to other tenants', positive; 1 unless its policy says otherwise
 */
public record Share(String tenant, double weight) {

    /** For callers with one tenant: every request shares alike. */
    public static final Share DEFAULT = new Share("", 1.0);

    public Share {
        Objects.requireNonNull(tenant, "tenant");
        if (!(weight > 0 && weight <= 1_000_000)) {
            throw new IllegalArgumentException("a share's weight must be above 0 and at most 10^6: " + weight);
        }
    }
}
