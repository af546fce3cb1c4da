package dev.sluice.routing;

import dev.sluice.config.ModelDeployment;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/** The shipped catalog, fully deployed, and policies to route against it. */
final class RoutingFixtures {

    static final Catalog SHIPPED = Catalog.load(Path.of("..", "config", "catalog.yaml"));

    private RoutingFixtures() {}

    /** Every model of the shipped catalog deployed on Triton, with {@code policies}. */
    static Catalog allDeployed(Map<String, TenantPolicy> policies) {
        return deployed(policies, m -> ModelDeployment.triton(null, "host:8001", "ensemble", 64));
    }

    /** Every model of the shipped catalog deployed as {@code deployment} says, with {@code policies}. */
    static Catalog deployed(Map<String, TenantPolicy> policies, Function<CatalogModel, ModelDeployment> deployment) {
        List<CatalogModel> deployed = SHIPPED.models().stream().map(m -> m.withDeployment(deployment.apply(m)))
                .toList();
        return new Catalog(deployed, policies, SHIPPED.ranking());
    }

    /** A deployment on {@code backend}; {@code guidedDecoding} only for Triton. */
    static ModelDeployment on(String backend, boolean guidedDecoding) {
        return new ModelDeployment(null, backend, "host:8001", null, 0, null, null, null, null, null, null,
                guidedDecoding, null, false, null, null, null, null, null);
    }

    /** Commercial, a million users, every acceptable-use term accepted, not in the EU. */
    static TenantPolicy permissiveCommercial() {
        return policy().build();
    }

    static PolicyBuilder policy() {
        return new PolicyBuilder();
    }

    static PromptRequest.Builder request(Task task, String prompt) {
        return PromptRequest.newBuilder().setRequestId("r").setTenant("t").setTask(task).setPrompt(prompt);
    }

    /** Builds test policies field by field. */
    static final class PolicyBuilder {
        boolean commercial = true;
        long mau = 1_000_000;
        boolean euDomiciled;
        boolean euEndUserOnly;
        Set<String> allowed = Set.of();
        Set<String> denied = Set.of();
        Set<String> deniedVendors = Set.of();
        Set<String> deniedOrigins = Set.of();
        Set<String> accepted = Set.of("llama3.1", "llama3.2", "gemma", "other/deepseek", "other/deepseek-license",
                "cc-by-nc-4.0", "other/mrl", "other/qwen-research");
        Set<String> vendorLicenses = Set.of();
        boolean trains;
        boolean derivative;
        boolean military;

        PolicyBuilder commercial(boolean value) {
            commercial = value;
            return this;
        }

        PolicyBuilder mau(long value) {
            mau = value;
            return this;
        }

        PolicyBuilder eu(boolean domiciled, boolean endUserOnly) {
            euDomiciled = domiciled;
            euEndUserOnly = endUserOnly;
            return this;
        }

        PolicyBuilder allowed(String... licenses) {
            allowed = Set.of(licenses);
            return this;
        }

        PolicyBuilder denied(String... licenses) {
            denied = Set.of(licenses);
            return this;
        }

        PolicyBuilder deniedVendors(String... vendors) {
            deniedVendors = Set.of(vendors);
            return this;
        }

        PolicyBuilder deniedOrigins(String... origins) {
            deniedOrigins = Set.of(origins);
            return this;
        }

        PolicyBuilder accepted(String... licenses) {
            accepted = Set.of(licenses);
            return this;
        }

        PolicyBuilder vendorLicenses(String... licenses) {
            vendorLicenses = Set.of(licenses);
            return this;
        }

        PolicyBuilder trainsOnOutputs(boolean value, boolean acceptsDerivatives) {
            trains = value;
            derivative = acceptsDerivatives;
            return this;
        }

        PolicyBuilder military(boolean value) {
            military = value;
            return this;
        }

        TenantPolicy build() {
            return new TenantPolicy(commercial, mau, euDomiciled, euEndUserOnly, allowed, denied, deniedVendors,
                    deniedOrigins, accepted, vendorLicenses, trains, derivative, military, null, 1, null);
        }
    }

    /**
     * Servers down where {@code isDown} says, with {@code inFlight} requests at each model's and the contexts in
     * {@code served} reported, by model id; no tokenizer.
     */
    static ModelAvailability servers(Predicate<String> isDown, Map<String, Integer> inFlight,
            Map<String, Integer> served) {
        return servers(isDown, inFlight, served, Map.of());
    }

    /** As {@link #servers(Predicate, Map, Map)}, with the models in {@code tokenizers} counting prompts by them. */
    static ModelAvailability servers(Predicate<String> isDown, Map<String, Integer> inFlight,
            Map<String, Integer> served, Map<String, ToIntFunction<String>> tokenizers) {
        return new ModelAvailability() {
            @Override
            public boolean isDown(String modelId, String endpoint) {
                return isDown.test(modelId);
            }

            @Override
            public int inFlight(String modelId, String endpoint) {
                return inFlight.getOrDefault(modelId, 0);
            }

            @Override
            public OptionalInt servedContext(String modelId, String endpoint) {
                Integer context = served.get(modelId);
                return context == null ? OptionalInt.empty() : OptionalInt.of(context);
            }

            @Override
            public OptionalInt promptTokens(String modelId, String endpoint, String prompt) {
                ToIntFunction<String> tokenizer = tokenizers.get(modelId);
                return tokenizer == null ? OptionalInt.empty() : OptionalInt.of(tokenizer.applyAsInt(prompt));
            }
        };
    }
}
