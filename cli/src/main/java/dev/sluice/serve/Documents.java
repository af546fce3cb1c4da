package dev.sluice.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Small JSON documents kept per tenant in an {@link ObjectStore}, as {@code <folder>/<tenant>/<id>.json}, each
 * replaced whole so a reader never sees half of one.
 */
final class Documents<T> {

    private static final String SUFFIX = ".json";

    private final ObjectStore store;
    private final String folder;
    private final Class<T> type;
    private final Function<T, String> idOf;
    private final Pattern ids;

    /**
     * @param ids the form of this kind's ids: anything else, such as an id a caller made up, names no document and
     *     never reaches the store
     */
    Documents(ObjectStore store, String folder, Class<T> type, Function<T, String> idOf, Pattern ids) {
        this.store = store;
        this.folder = folder;
        this.type = type;
        this.idOf = idOf;
        this.ids = ids;
    }

    void save(String tenant, T document) {
        String key = key(tenant, idOf.apply(document));
        try {
            store.write(key, ApiJson.MAPPER.writeValueAsBytes(document));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + key, e);
        }
    }

    Optional<T> find(String tenant, String id) {
        if (id == null || !ids.matcher(id).matches()) {
            return Optional.empty();
        }
        String key = key(tenant, id);
        try {
            Optional<InputStream> content = store.open(key);
            if (content.isEmpty()) {
                return Optional.empty();
            }
            try (InputStream in = content.get()) {
                return Optional.of(ApiJson.MAPPER.readValue(in, type));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + key, e);
        }
    }

    void delete(String tenant, String id) {
        if (!ids.matcher(id).matches()) {
            return;
        }
        try {
            store.delete(key(tenant, id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + key(tenant, id), e);
        }
    }

    /** Every document of {@code tenant}, in no particular order. */
    List<T> all(String tenant) {
        List<T> found = new ArrayList<>();
        for (String key : keys(folder + "/" + tenant + "/")) {
            if (key.endsWith(SUFFIX)) {
                String name = key.substring(key.lastIndexOf('/') + 1);
                // One deleted since the listing is simply not found.
                find(tenant, name.substring(0, name.length() - SUFFIX.length())).ifPresent(found::add);
            }
        }
        return found;
    }

    /** The tenants with a document, or anything else, below the folder. */
    List<String> tenants() {
        Set<String> tenants = new LinkedHashSet<>();
        for (String key : keys(folder + "/")) {
            String below = key.substring(folder.length() + 1);
            if (below.indexOf('/') > 0) {
                tenants.add(below.substring(0, below.indexOf('/')));
            }
        }
        return List.copyOf(tenants);
    }

    private List<String> keys(String prefix) {
        try {
            return store.list(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + prefix, e);
        }
    }

    private String key(String tenant, String id) {
        return folder + "/" + tenant + "/" + id + SUFFIX;
    }
}
