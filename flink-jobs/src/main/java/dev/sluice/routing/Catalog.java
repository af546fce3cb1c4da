package dev.sluice.routing;

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
 */
public record Catalog(List<CatalogModel> models, Map<String, TenantPolicy> policies, RankingSettings ranking)
        implements Serializable {

    public Catalog {
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
        return new Catalog(moved, policies, ranking);
    }

    /** The catalog as YAML, as it travels on the catalog topic. */
    public String toYaml() {
        return Yaml.write(this);
    }
}
