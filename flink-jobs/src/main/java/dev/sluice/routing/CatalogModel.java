package dev.sluice.routing;

import dev.sluice.config.ModelDeployment;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
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
 * @param benchmarks published scores by {@link Benchmark} key, each on its own scale
 * @param benchmarkSources where each score was published (a model card, a vendor's report): every score names one
 * @param capabilities chat, code, tools, vision, long-context
 * @param useCases the use-case guide's recommendations this model answers
 * @param vramGb weight memory by precision
 * @param costPerMillionTokens what a million tokens cost to serve on its deployment, as the operator reckons it;
 *     null to rank by active parameters instead
 * @param note a correction or caveat worth seeing
 * @param deployment where it is served, or null when known but not deployed
 */
public record CatalogModel(
        String id, String family, String vendor, String origin, double paramsB, Double activeParamsB, int context,
        String license, Commercial commercial, Set<String> conditions, JapaneseQuality japanese,
        Map<String, Double> benchmarks, Map<String, String> benchmarkSources, Set<String> capabilities,
        Set<String> useCases, Map<String, Double> vramGb, Double costPerMillionTokens, String note,
        ModelDeployment deployment) implements Serializable {

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
        benchmarkSources = benchmarkSources == null ? Map.of() : Map.copyOf(benchmarkSources);
        checkBenchmarks(id, benchmarks, benchmarkSources);
        if (costPerMillionTokens != null && !(costPerMillionTokens > 0 && costPerMillionTokens < 1e6)) {
            throw new IllegalArgumentException("model " + id + ": cost-per-million-tokens must be positive, got "
                    + costPerMillionTokens);
        }
        capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
        useCases = useCases == null ? Set.of() : Set.copyOf(useCases);
        vramGb = vramGb == null ? Map.of() : Map.copyOf(vramGb);
        deployment = deployment == null ? null : deployment.withId(id);
    }

    /** Every score is of a known benchmark, within its scale, and names where it was published. */
    private static void checkBenchmarks(String id, Map<String, Double> scores, Map<String, String> sources) {
        scores.forEach((key, score) -> {
            Benchmark benchmark = Benchmark.ofKey(key).orElseThrow(() -> new IllegalArgumentException("model " + id
                    + ": no benchmark called " + key + "; known: " + Arrays.stream(Benchmark.values())
                    .map(Benchmark::key).toList()));
            if (score == null || !(score >= 0 && score <= benchmark.scale())) {
                throw new IllegalArgumentException("model " + id + ": " + key + " must be between 0 and "
                        + benchmark.scale() + ", got " + score);
            }
            String source = sources.get(key);
            if (source == null || source.isBlank()) {
                throw new IllegalArgumentException("model " + id + ": " + key + " has no benchmark-sources entry;"
                        + " every score names where it was published");
            }
        });
        for (String key : sources.keySet()) {
            if (!scores.containsKey(key)) {
                throw new IllegalArgumentException("model " + id + ": benchmark-sources names " + key
                        + ", which has no score");
            }
        }
    }

    /** The published score on {@code benchmark} as points out of 100, or empty where the catalog has none. */
    public OptionalDouble points(Benchmark benchmark) {
        Double score = benchmarks.get(benchmark.key());
        return score == null ? OptionalDouble.empty()
                : OptionalDouble.of(benchmark.points(score));
    }

    /** Parameters that work on each token: the active ones of a mixture of experts, else all. */
    public double activeParams() {
        return activeParamsB != null ? activeParamsB : paramsB;
    }

    /** The same model served at {@code moved}. */
    public CatalogModel withDeployment(ModelDeployment moved) {
        return new CatalogModel(id, family, vendor, origin, paramsB, activeParamsB, context, license, commercial,
                conditions, japanese, benchmarks, benchmarkSources, capabilities, useCases, vramGb,
                costPerMillionTokens, note, moved);
    }

    public boolean has(String condition) {
        return conditions.contains(condition);
    }

    public boolean hasDeployment() {
        return deployment != null;
    }
}
