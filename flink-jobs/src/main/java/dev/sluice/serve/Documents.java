package dev.sluice.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Small JSON documents kept per tenant in a folder, {@code <folder>/<tenant>/<id>.json}, each replaced whole by an
 * atomic move so a reader never sees half of one and a crash leaves the last complete version.
 */
final class Documents<T> {

    private static final String SUFFIX = ".json";

    private final Path folder;
    private final Class<T> type;
    private final Function<T, String> idOf;
    private final Pattern ids;

    /**
     * @param ids the form of this kind's ids: anything else, such as an id a caller made up, names no document and
     *     never reaches the file system
     */
    Documents(Path folder, Class<T> type, Function<T, String> idOf, Pattern ids) {
        this.folder = folder;
        this.type = type;
        this.idOf = idOf;
        this.ids = ids;
    }

    void save(String tenant, T document) {
        Path target = path(tenant, idOf.apply(document));
        try {
            Files.createDirectories(target.getParent());
            Path written = Files.createTempFile(target.getParent(), ".", ".tmp");
            ApiJson.MAPPER.writeValue(written.toFile(), document);
            moveInto(written, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + target, e);
        }
    }

    Optional<T> find(String tenant, String id) {
        if (id == null || !ids.matcher(id).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ApiJson.MAPPER.readValue(path(tenant, id).toFile(), type));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path(tenant, id), e);
        }
    }

    boolean delete(String tenant, String id) {
        try {
            return ids.matcher(id).matches() && Files.deleteIfExists(path(tenant, id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path(tenant, id), e);
        }
    }

    /** Every document of {@code tenant}, in no particular order. */
    List<T> all(String tenant) {
        List<T> found = new ArrayList<>();
        Path tenantFolder = folder.resolve(tenant);
        if (!Files.isDirectory(tenantFolder)) {
            return found;
        }
        try (Stream<Path> files = Files.list(tenantFolder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList()) {
                String name = file.getFileName().toString();
                find(tenant, name.substring(0, name.length() - SUFFIX.length())).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + tenantFolder, e);
        }
        return found;
    }

    /** The tenants with a folder here. */
    List<String> tenants() {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> tenants = Files.list(folder)) {
            return tenants.filter(Files::isDirectory).map(t -> t.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private Path path(String tenant, String id) {
        return folder.resolve(tenant).resolve(id + SUFFIX);
    }

    /** Moves {@code from} over {@code to} atomically where the file system can, else replacing it. */
    static void moveInto(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
