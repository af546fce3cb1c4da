package dev.sluice.routing;

import dev.sluice.config.Price;
import dev.sluice.config.Yaml;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The models Sluice knows and the tenants' licence policies: {@code catalog.yaml}, or the latest document on the
 * {@code sluice.catalog} topic.
 *
 * @param models every known model, deployed or not
 * @param policies tenant → licence policy
 * @param ranking how quality, cost and load are weighed; the defaults where absent
 * @param referencePrice what a hosted batch API would charge per million prompt and completion tokens, in the
 *     catalog's currency, shown beside a bulk run's own cost; null for none
 */
public record Catalog(List<CatalogModel> models, Map<String, TenantPolicy> policies, RankingSettings ranking,
        Price referencePrice) implements Serializable {

    public Catalog {
        if (referencePrice != null && referencePrice.gpuHour() != null) {
            throw new IllegalArgumentException(
                    "reference-price: give input-per-million and output-per-million, as a hosted API charges");
        }
        ranking = ranking == null ? RankingSettings.DEFAULTS : ranking;
        models = models == null ? List.of() : List.copyOf(models);
        policies = policies == null ? Map.of() : Map.copyOf(policies);
        Set<String> ids = new HashSet<>();
        for (CatalogModel model : models) {
            if (!ids.add(model.id())) {
                throw new IllegalArgumentException("model " + model.id() + " is listed twice");
            }
        }
    }

    /** Without a reference price. */
    public Catalog(List<CatalogModel> models, Map<String, TenantPolicy> policies, RankingSettings ranking) {
        this(models, policies, ranking, null);
    }

    /** Parses and checks a catalog document; errors name {@code source}, the key and the line. */
    public static Catalog parse(String yaml, String source) {
        return Yaml.read(yaml, source, Catalog.class);
    }

    public static Catalog load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the catalog " + file, e);
        }
    }

    /**
     * The catalog file, for a tool that only shows what it says (budgets, a reference price) and works without it:
     * empty when there is no such file.
     */
    public static Optional<Catalog> loadIfPresent(Path file) {
        return Files.isRegularFile(file) ? Optional.of(load(file)) : Optional.empty();
    }

    public Optional<TenantPolicy> policy(String tenant) {
        return Optional.ofNullable(policies.get(tenant));
    }

    public List<CatalogModel> deployed() {
        return models.stream().filter(CatalogModel::hasDeployment).toList();
    }

    /** A copy with the deployments moved to {@code endpoints} (model id → host:port), as the demo's emulators. */
    public Catalog withEndpoints(Map<String, String> endpoints) {
        List<CatalogModel> moved = new java.util.ArrayList<>();
        for (CatalogModel model : models) {
            String endpoint = endpoints.get(model.id());
            moved.add(endpoint == null || !model.hasDeployment() ? model
                    : model.withDeployment(model.deployment().at(endpoint)));
        }
        return new Catalog(moved, policies, ranking, referencePrice);
    }

    /** The catalog as YAML, as it travels on the catalog topic. */
    public String toYaml() {
        return Yaml.write(this);
    }
}
