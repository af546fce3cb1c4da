package dev.sluice.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * The licence conditions of the catalog against a tenant's policy. A model is eligible only when no rule
 * objects; each objection is a sentence saying which condition and why.
 */
public final class LicenseRules {

    static final long LLAMA_MAU_LIMIT = 700_000_000L;
    static final long QWEN_MAU_LIMIT = 100_000_000L;

    private LicenseRules() {}

    /** Every reason the tenant may not use the model; empty when it may. */
    public static List<String> violations(CatalogModel model, TenantPolicy policy) {
        List<String> reasons = new ArrayList<>();
        String license = model.license();
        boolean nonCommercial = model.commercial() == Commercial.NO || model.has("NC") || model.has("research-only");
        if (policy.commercial() && nonCommercial) {
            reasons.add(license + " is non-commercial (research only) and the tenant's use is commercial");
        }
        if (!policy.allowedLicenses().isEmpty() && !policy.allowedLicenses().contains(license)) {
            reasons.add(license + " is not among the tenant's allowed licences");
        }
        if (policy.deniedLicenses().contains(license)) {
            reasons.add(license + " is denied by the tenant's policy");
        }
        if (policy.deniedVendors().contains(model.vendor())) {
            reasons.add("vendor " + model.vendor() + " is denied by the tenant's policy");
        }
        if (policy.deniedOrigins().contains(model.origin())) {
            reasons.add("origin " + model.origin() + " is denied by the tenant's policy");
        }
        boolean vendorLicense = policy.vendorLicenses().contains(license);
        if (model.has("MAU>700M") && policy.monthlyActiveUsers() > LLAMA_MAU_LIMIT && !vendorLicense) {
            reasons.add(license + " needs Meta's own licence above 700M monthly active users");
        }
        if (model.has("MAU>100M") && policy.commercial() && policy.monthlyActiveUsers() > QWEN_MAU_LIMIT
                && !vendorLicense) {
            reasons.add(license + " needs the vendor's licence for commercial use above 100M monthly "
                    + "active users");
        }
        if (model.has("EU-multimodal") && policy.euDomiciled() && !policy.euEndUserOnly()) {
            reasons.add("the Llama 3.2 acceptable-use policy grants no rights in its multimodal models to "
                    + "EU-domiciled licensees");
        }
        if ((model.has("AUP") || model.has("FLOWDOWN")) && !policy.acceptedTerms().contains(license)) {
            reasons.add("the tenant has not accepted the use terms of " + license);
        }
        if (policy.trainsOnOutputs() && (model.has("OUT-RESTRICTED") || nonCommercial)) {
            reasons.add(license + " restricts its outputs, and the tenant trains models on outputs");
        }
        if (policy.trainsOnOutputs() && model.has("DISTILL-DERIV") && !policy.acceptsDerivativeTerms()) {
            reasons.add("models trained on " + license + " outputs become licensed derivatives, which the tenant "
                    + "does not accept");
        }
        if (policy.militaryUse() && model.has("MIL")) {
            reasons.add(license + " forbids military use");
        }
        return reasons;
    }
}
