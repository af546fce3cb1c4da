package dev.sluice.routing;

import dev.sluice.config.ModelDeployment;
import dev.sluice.config.Yaml;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a catalog document from the topic may change, against the catalog file the job started with. Routing and
 * policy are the document's: models' metadata, tenant policies, which deployed models are in rotation (a model
 * without its deployment is out). Where models are served and how Sluice authenticates to them are the start-up
 * file's: a deployment must equal that file's deployment of the same model, or move only its endpoints to
 * operator-allowlisted addresses with the file's TLS, credentials and tokenizer unchanged (none, for a model the
 * file does not deploy). Otherwise one signed record could send every prompt, with a bearer token read from any
 * file on a TaskManager, anywhere. A document that drops every policy or every deployment would stop all routing:
 * refused too, since an empty catalog is far likelier a mistake than an intended shutdown.
 *
 * @param startup the catalog the job started with
 * @param allowedEndpoints {@code host:port}s a document may move a deployment's endpoint or replicas to
 */
public record CatalogUpdateRules(Catalog startup, Set<String> allowedEndpoints) implements Serializable {

    public CatalogUpdateRules {
        Objects.requireNonNull(startup, "startup");
        allowedEndpoints = allowedEndpoints == null ? Set.of() : Set.copyOf(allowedEndpoints);
    }

    /** Why {@code update} may not replace the catalog in force, or empty if it may. Never quotes its values. */
    public Optional<String> refusal(Catalog update) {
        if (update.policies().isEmpty()) {
            return Optional.of("it has no tenant policies");
        }
        if (update.deployed().isEmpty()) {
            return Optional.of("it deploys no model");
        }
        Map<String, ModelDeployment> started = new HashMap<>();
        for (CatalogModel model : startup.deployed()) {
            started.put(model.id(), model.deployment());
        }
        for (CatalogModel model : update.deployed()) {
            ModelDeployment wanted = model.deployment();
            ModelDeployment known = started.get(model.id());
            if (wanted.equals(known) || moveWithinAllowlist(wanted, known)) {
                continue;
            }
            return Optional.of("model " + model.id() + ": its deployment differs from the start-up catalog's in "
                    + String.join(", ", differences(wanted, known)) + " (deployments come from the catalog file; "
                    + "endpoints may move only to control-plane.allowed-endpoints)");
        }
        return Optional.empty();
    }

    /**
     * Same TLS, credentials, tokenizer and fleet as the file's (none for a new model), every address allowlisted. A
     * fleet comes from the file alone: its members have settings and secrets of their own.
     */
    private boolean moveWithinAllowlist(ModelDeployment wanted, ModelDeployment known) {
        boolean sameSecrets = known == null
                ? wanted.tls() == null && wanted.auth() == null && wanted.tokenizer() == null
                        && wanted.fleet().isEmpty()
                : Objects.equals(wanted.tls(), known.tls()) && Objects.equals(wanted.auth(), known.auth())
                        && Objects.equals(wanted.tokenizer(), known.tokenizer())
                        && wanted.fleet().equals(known.fleet());
        return sameSecrets && allowedEndpoints.contains(wanted.endpoint())
                && allowedEndpoints.containsAll(wanted.replicas());
    }

    /** The keys in which {@code wanted} differs from {@code known}, named as in the catalog file. */
    private static List<String> differences(ModelDeployment wanted, ModelDeployment known) {
        if (known == null) {
            return List.of("being deployed at all (the catalog file does not deploy it)");
        }
        // Every component, so a deployment setting added later is covered without touching this rule.
        List<String> keys = new ArrayList<>();
        for (RecordComponent component : ModelDeployment.class.getRecordComponents()) {
            try {
                Method accessor = component.getAccessor();
                if (!Objects.equals(accessor.invoke(wanted), accessor.invoke(known))) {
                    keys.add(Yaml.key(component.getName()));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + component, e);
            }
        }
        return keys;
    }
}
