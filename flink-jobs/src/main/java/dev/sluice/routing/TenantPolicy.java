package dev.sluice.routing;

import java.io.Serializable;
import java.util.Set;

/**
 * What a tenant may legally use, as its operator sets it, and what it may spend. Every field narrows; none widens.
 *
 * @param commercial outputs are used commercially: non-commercial and research-only licences are out
 * @param monthlyActiveUsers the tenant's monthly active users, checked against MAU conditions
 * @param euDomiciled the tenant is domiciled in the European Union
 * @param euEndUserOnly an EU tenant that only consumes the operator's service (an end user, to whom Llama 3.2's
 *     multimodal exclusion does not apply); false treats it as a licensee
 * @param allowedLicenses if not empty, only these licence ids
 * @param deniedLicenses never these licence ids
 * @param deniedVendors never these vendors
 * @param deniedOrigins never models from these countries
 * @param acceptedTerms licence ids whose acceptable-use terms the tenant has accepted
 * @param vendorLicenses licence ids for which the tenant holds the vendor's own licence (lifts MAU limits)
 * @param trainsOnOutputs outputs are used to train other models
 * @param acceptsDerivativeTerms models trained on outputs may become derivatives under the source licence
 * @param militaryUse the tenant's use is military
 * @param budget what the tenant may spend a day or a month, and what happens to its work once it has; null for none
 * @param weight the tenant's share of each model's servers while tenants wait at once, relative to the others'
 *     (the gateways serve tokens in proportion); 1 when not set
 * @param tokensPerMinute the tenant's quota: tokens its requests may use a minute (prompt, estimated, and
 *     {@code max_tokens}), batch work beyond it held and paced, interactive work rejected; null for none
 */
public record TenantPolicy(
        boolean commercial, long monthlyActiveUsers, boolean euDomiciled, boolean euEndUserOnly,
        Set<String> allowedLicenses, Set<String> deniedLicenses, Set<String> deniedVendors, Set<String> deniedOrigins,
        Set<String> acceptedTerms, Set<String> vendorLicenses, boolean trainsOnOutputs, boolean acceptsDerivativeTerms,
        boolean militaryUse, Budget budget, double weight, Long tokensPerMinute) implements Serializable {

    /** Most a weight may be: a million times another tenant's share is already all of it. */
    static final double MAX_WEIGHT = 1_000_000;

    public TenantPolicy {
        if (monthlyActiveUsers < 0) {
            throw new IllegalArgumentException("monthly-active-users must not be negative");
        }
        if (tokensPerMinute != null && !(tokensPerMinute > 0 && tokensPerMinute <= Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("tokens-per-minute must be between 1 and " + Integer.MAX_VALUE + ": "
                    + tokensPerMinute);
        }
        weight = weight == 0 ? 1 : weight;
        if (!(weight > 0 && weight <= MAX_WEIGHT)) {
            throw new IllegalArgumentException("weight must be above 0 and at most " + (long) MAX_WEIGHT + ": " + weight);
        }
        allowedLicenses = copy(allowedLicenses);
        deniedLicenses = copy(deniedLicenses);
        deniedVendors = copy(deniedVendors);
        deniedOrigins = copy(deniedOrigins);
        acceptedTerms = copy(acceptedTerms);
        vendorLicenses = copy(vendorLicenses);
    }

    private static Set<String> copy(Set<String> values) {
        return values == null ? Set.of() : Set.copyOf(values);
    }
}
