package dev.sluice.routing;

import dev.sluice.config.ModelDeployment;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One model of the catalog: what it is, what its licence allows, what it is good at, and where it is served.
 *
 * @param id the Hugging Face repository id
 * @param family e.g. {@code Qwen2.5}
 * @param vendor who publishes it
 * @param origin the vendor's country (ISO 3166 alpha-2)
 * @param paramsB total parameters, billions
 * @param activeParamsB active parameters of a mixture of experts, billions; null for dense models
 * @param context the context window served, tokens
 * @param license licence id, e.g. {@code apache-2.0}, {@code llama3.1}, {@code other/mrl}
 * @param commercial whether the licence allows commercial use
 * @param conditions licence condition codes (MAU>700M, AUP, NC, ...)
 * @param japanese Japanese quality
 * @param benchmarks scores by benchmark name, only where verified
 * @param capabilities chat, code, tools, vision, long-context
 * @param useCases the use-case guide's recommendations this model answers
 * @param vramGb weight memory by precision
 * @param note a correction or caveat worth seeing
 * @param deployment where it is served, or null when known but not deployed
 */
public record CatalogModel(
        String id, String family, String vendor, String origin, double paramsB, Double activeParamsB, int context,
        String license, Commercial commercial, Set<String> conditions, JapaneseQuality japanese,
        Map<String, Double> benchmarks, Set<String> capabilities, Set<String> useCases, Map<String, Double> vramGb,
        String note, ModelDeployment deployment) implements Serializable {

    public CatalogModel {
        Objects.requireNonNull(id, "id is required");
        Objects.requireNonNull(family, "model " + id + ": family is required");
        Objects.requireNonNull(vendor, "model " + id + ": vendor is required");
        Objects.requireNonNull(origin, "model " + id + ": origin is required");
        Objects.requireNonNull(license, "model " + id + ": license is required");
        Objects.requireNonNull(commercial, "model " + id + ": commercial is required");
        Objects.requireNonNull(japanese, "model " + id + ": japanese is required");
        if (paramsB <= 0 || context <= 0) {
            throw new IllegalArgumentException("model " + id + ": params-b and context must be positive");
        }
        conditions = conditions == null ? Set.of() : Set.copyOf(conditions);
        benchmarks = benchmarks == null ? Map.of() : Map.copyOf(benchmarks);
        capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
        useCases = useCases == null ? Set.of() : Set.copyOf(useCases);
        vramGb = vramGb == null ? Map.of() : Map.copyOf(vramGb);
        deployment = deployment == null ? null : deployment.withId(id);
    }

    public boolean has(String condition) {
        return conditions.contains(condition);
    }

    public boolean hasDeployment() {
        return deployment != null;
    }
}
