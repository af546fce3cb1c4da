package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Environment variables over {@code sluice.yaml}: each key of the configuration records is overridden by
 * {@code SLUICE_} + its path upper-cased, {@code .} and {@code -} turned into {@code _}
 * ({@code gateway.resilience.max-attempts} → {@code SLUICE_GATEWAY_RESILIENCE_MAX_ATTEMPTS}). A map-valued key
 * ({@code kafka.properties}) takes a YAML or JSON mapping whose entries are merged over the file's; a list-valued
 * one ({@code control-plane.allowed-endpoints}) a YAML or JSON list that replaces the file's.
 *
 * <p>A variable under a section's prefix ({@code SLUICE_KAFKA_}, {@code SLUICE_JOB_}, ...) that names no key is
 * refused, so a misspelt override cannot pass unnoticed; other {@code SLUICE_} variables (the launcher's
 * {@code SLUICE_HOME}, {@code SLUICE_JAVA_OPTS}, {@code SLUICE_LOG_LEVEL}; secrets such as
 * {@code SLUICE_SECRET_KAFKA_PASSWORD}) are not configuration keys and are left alone.
 */
final class EnvironmentOverrides {

    static final String PREFIX = "SLUICE_";

    /** Variable name → key, derived from the records, so a new component is overridable without more code. */
    private static final Map<String, Key> KEYS = keys(SluiceConfig.class, List.of(), new TreeMap<>());
    private static final Set<String> SECTIONS = KEYS.values().stream().filter(key -> key.path().size() > 1)
            .map(key -> variable(key.path().subList(0, 1)) + "_").collect(Collectors.toCollection(TreeSet::new));

    private EnvironmentOverrides() {}

    /**
     * Writes the overrides in {@code environment} into {@code root}, each value checked against its key's type.
     *
     * @return the variables applied, sorted
     * @throws IllegalArgumentException naming the variable, for an unknown key or a value of the wrong type
     */
    static List<String> apply(ObjectNode root, Map<String, String> environment) {
        List<String> applied = new ArrayList<>();
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            String name = variable.getKey();
            Key key = KEYS.get(name);
            if (key == null) {
                if (SECTIONS.stream().anyMatch(name::startsWith)) {
                    throw new IllegalArgumentException(name + " names no key of sluice.yaml; the keys of its "
                            + "section: " + KEYS.keySet().stream().filter(k -> k.startsWith(section(name)))
                            .collect(Collectors.joining(", ")));
                }
                continue;
            }
            key.write(root, name, variable.getValue());
            applied.add(name);
        }
        return applied;
    }

    /** Every key of the records, dotted ({@code gateway.resilience.max-attempts}). */
    static Set<String> keys() {
        return KEYS.values().stream().map(key -> String.join(".", key.path()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String section(String name) {
        return SECTIONS.stream().filter(name::startsWith).findFirst().orElseThrow();
    }

    private static Map<String, Key> keys(Class<?> record, List<String> parent, Map<String, Key> into) {
        for (RecordComponent component : record.getRecordComponents()) {
            List<String> path = new ArrayList<>(parent);
            path.add(Yaml.key(component.getName()));
            if (component.getType().isRecord()) {
                keys(component.getType(), path, into);
            } else {
                Key previous = into.put(variable(path), new Key(List.copyOf(path), component));
                if (previous != null) {
                    throw new IllegalStateException(variable(path) + " would name two keys: " + path + ", "
                            + previous.path());
                }
            }
        }
        return into;
    }

    private static String variable(List<String> path) {
        return PREFIX + String.join("_", path).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** A leaf of the records: a path of kebab-case names and the component that types it. */
    private record Key(List<String> path, RecordComponent component) {

        void write(ObjectNode root, String variable, String value) {
            ObjectNode parent = root;
            for (String section : path.subList(0, path.size() - 1)) {
                JsonNode child = parent.get(section);
                parent = child instanceof ObjectNode object ? object : parent.putObject(section);
            }
            String name = path.get(path.size() - 1);
            String key = String.join(".", path);
            if (Map.class.isAssignableFrom(component.getType())) {
                JsonNode entries = Yaml.tree(value, variable);
                if (!entries.isObject()) {
                    throw new IllegalArgumentException(variable + ": " + key + " takes a mapping, "
                            + "e.g. {security.protocol: SASL_SSL}");
                }
                check(variable, key, entries);
                JsonNode present = parent.get(name);
                (present instanceof ObjectNode object ? object : parent.putObject(name)).setAll((ObjectNode) entries);
            } else if (List.class.isAssignableFrom(component.getType())) {
                JsonNode items = Yaml.tree(value, variable);
                if (!items.isArray()) {
                    throw new IllegalArgumentException(variable + ": " + key + " takes a list, e.g. [a, b]");
                }
                check(variable, key, items);
                parent.set(name, items);
            } else {
                TextNode text = TextNode.valueOf(value);
                check(variable, key, text);
                parent.set(name, text);
            }
        }

        private void check(String variable, String key, JsonNode value) {
            try {
                Yaml.convert(value, component.getGenericType());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(variable + ": not a value for " + key + ": " + e.getMessage(), e);
            }
        }
    }
}
