package dev.sluice.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Every published version of a record schema, oldest first, from the schema history the schemas module ships
 * ({@code schemas/src/main/history/<Record>/v<N>.avsc}, on the class path under {@value #RESOURCE_ROOT}). Version
 * numbers start at 1; the last one is the generated class's schema, which {@code SchemaHistoryTest} holds to.
 */
public final class SchemaHistory {

    static final String RESOURCE_ROOT = "dev/sluice/schema/history";

    private static final Map<String, List<Schema>> VERSIONS = new ConcurrentHashMap<>();

    private SchemaHistory() {}

    /** All versions of {@code record}'s schema, oldest first; empty when the history has none. */
    public static List<Schema> versions(Schema record) {
        return VERSIONS.computeIfAbsent(record.getName(), SchemaHistory::load);
    }

    /** Version {@code version} (from 1) of {@code record}'s schema. */
    public static Schema version(Schema record, int version) {
        List<Schema> versions = versions(record);
        if (version < 1 || version > versions.size()) {
            throw new IllegalArgumentException(record.getName() + " has schema versions 1 to " + versions.size()
                    + ", not " + version);
        }
        return versions.get(version - 1);
    }

    private static List<Schema> load(String name) {
        List<Schema> versions = new ArrayList<>();
        ClassLoader loader = SchemaHistory.class.getClassLoader();
        for (int version = 1; ; version++) {
            String resource = RESOURCE_ROOT + "/" + name + "/v" + version + ".avsc";
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    return List.copyOf(versions);
                }
                // Each version is parsed on its own: versions of one record share type names.
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
    }
}
