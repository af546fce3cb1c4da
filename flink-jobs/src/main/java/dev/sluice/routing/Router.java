package dev.sluice.routing;

import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RouteExclusion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Licence policy first, then model selection. A model is eligible only if the tenant's policy allows it (every
 * rule of {@link LicenseRules}), the request's own narrowing keeps it, it is deployed, has the capabilities asked
 * for, its context (the servers' own report where they gave one) holds the request, and its server honours the
 * request's structure. {@link Ranking} orders the eligible models. There is no fallback: with nothing eligible the
 * request is refused, {@code STRUCTURE_UNSUPPORTED} when only the structure stood in the way of some model.
 */
public final class Router {

    /** The prefix of an exclusion for a constraint on the output's form the model's server does not honour. */
    private static final String STRUCTURE = "structure: ";
    /** The catalog capability a model needs to be sent a request's tools. */
    private static final String TOOLS = "tools";

    private final Catalog catalog;
    private final ModelAvailability availability;
    private final int defaultMaxTokens;

    public Router(Catalog catalog, ModelAvailability availability, int defaultMaxTokens) {
        this.catalog = catalog;
        this.availability = availability;
        this.defaultMaxTokens = defaultMaxTokens;
    }

    public RouteDecision route(PromptRequest request) {
        Optional<TenantPolicy> policy = catalog.policy(request.getTenant());
        if (policy.isEmpty()) {
            return refused(RejectReason.POLICY_DENIED, "tenant '" + request.getTenant()
                    + "' has no licence policy; the operator must define one", List.of());
        }
        RequestNeeds needs = RequestNeeds.of(request, defaultMaxTokens);
        OutputConstraint constraint = OutputConstraint.of(request.getStructure());
        boolean tools = request.getStructure() != null && !request.getStructure().getTools().isEmpty();
        List<RouteExclusion> excluded = new ArrayList<>();
        List<CatalogModel> candidates = new ArrayList<>();
        for (CatalogModel model : catalog.models()) {
            Optional<String> reason = exclusion(model, policy.get(), needs, constraint, tools);
            if (reason.isPresent()) {
                excluded.add(new RouteExclusion(model.id(), reason.get()));
            } else {
                candidates.add(model);
            }
        }
        if (candidates.isEmpty()) {
            // Structure is checked last, so a model it excludes would have served the request without it.
            boolean forStructure = excluded.stream().anyMatch(e -> e.getReason().startsWith(STRUCTURE));
            return refused(forStructure ? RejectReason.STRUCTURE_UNSUPPORTED : RejectReason.NO_ELIGIBLE_MODEL,
                    "no model is eligible: " + summary(excluded), excluded);
        }
        // Health orders, it never excludes: a model whose servers are down now is tried after every model whose
        // servers are up, and when all are down the request is held for the best of them instead of rejected.
        List<RouteDecision.Scored> eligible = new Ranking(catalog.ranking(), availability).order(candidates, needs);
        RouteDecision.Scored best = eligible.get(0);
        for (RouteDecision.Scored other : eligible.subList(1, eligible.size())) {
            excluded.add(new RouteExclusion(other.model().id(), isDown(other.model()) && !isDown(best.model())
                    ? "eligible, its servers are down now"
                    : "eligible, ranked lower: " + String.join(", ", other.reasons())));
        }
        String held = isDown(best.model())
                ? "; the servers of every eligible model are down now: held until one returns or its deadline passes"
                : "";
        return new RouteDecision(best.model(), "eligible under the tenant's policy and "
                + String.join(", ", best.reasons()) + held, null, excluded, eligible);
    }

    /** The first reason the model cannot serve the request, or empty. */
    private Optional<String> exclusion(CatalogModel model, TenantPolicy policy, RequestNeeds needs,
            OutputConstraint constraint, boolean tools) {
        List<String> licence = LicenseRules.violations(model, policy);
        if (!licence.isEmpty()) {
            return Optional.of("licence: " + licence.get(0));
        }
        if (!needs.allowedLicenses().isEmpty() && !needs.allowedLicenses().contains(model.license())) {
            return Optional.of("request: allows only licences " + needs.allowedLicenses());
        }
        if (!model.hasDeployment()) {
            return Optional.of("deployment: not deployed");
        }
        for (String capability : needs.capabilities()) {
            if (!model.capabilities().contains(capability)) {
                return Optional.of("capability: has no " + capability);
            }
        }
        if (needs.maxParamsB() != null && model.paramsB() > needs.maxParamsB()) {
            return Optional.of(String.format(java.util.Locale.ROOT, "size: %.3gB parameters, more than hints.size %s"
                    + " allows (%.0fB)", model.paramsB(), needs.sizeClass(), needs.maxParamsB()));
        }
        String endpoint = model.deployment().endpoint();
        OptionalInt served = availability.servedContext(model.id(), endpoint);
        int context = served.isPresent() ? Math.min(served.getAsInt(), model.context()) : model.context();
        // The model's own tokenizer is asked only where the estimate, which errs high, says the prompt may not fit.
        OptionalInt counted = context < needs.contextTokens(OptionalInt.empty())
                ? availability.promptTokens(model.id(), endpoint, needs.prompt()) : OptionalInt.empty();
        int needed = needs.contextTokens(counted);
        if (context < needed) {
            return Optional.of("context: " + context + " tokens" + (served.isPresent() ? " as its servers serve it"
                    : "") + ", the request needs " + (counted.isPresent() ? "" : "about ") + needed
                    + (counted.isPresent() ? " by the model's tokenizer" : ""));
        }
        // Tools are a JSON schema to the server, but only a model tuned for calling them calls them to any purpose.
        if (tools && !model.capabilities().contains(TOOLS)) {
            return Optional.of(STRUCTURE + "the model has no " + TOOLS + " capability for structure.tools");
        }
        if (constraint != null && !model.deployment().honours(constraint.kind())) {
            return Optional.of(STRUCTURE + model.deployment().backend() + " does not honour structure."
                    + constraint.kind().field() + (model.deployment().protocol() == Protocol.TRITON
                            ? " without guided-decoding" : ""));
        }
        return Optional.empty();
    }

    private boolean isDown(CatalogModel model) {
        return availability.isDown(model.id(), model.deployment().endpoint());
    }

    private static String summary(List<RouteExclusion> excluded) {
        Map<String, Integer> byKind = new TreeMap<>();
        for (RouteExclusion exclusion : excluded) {
            String kind = exclusion.getReason().substring(0, exclusion.getReason().indexOf(':'));
            byKind.merge(kind, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        byKind.forEach((kind, count) -> parts.add(count + " by " + kind));
        return String.join(", ", parts);
    }

    private static RouteDecision refused(RejectReason reason, String because, List<RouteExclusion> excluded) {
        return new RouteDecision(null, because, reason, excluded, List.of());
    }
}
