package dev.sluice.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Objects as files in a local folder, a key its path below the folder; {@code uploads/} is the spool, on the same
 * file system, so content is moved in rather than copied. Each object is replaced by an atomic move, so a reader
 * never sees half of one and a crash leaves the last complete version; a file whose name begins with {@code .} is
 * one still being written, and no object.
 */
final class FolderStore implements ObjectStore {

    private final Path root;
    private final Path spool;

    FolderStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.spool = this.root.resolve("uploads");
        try {
            Files.createDirectories(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the file store in " + root, e);
        }
    }

    @Override
    public Path spool() {
        return spool;
    }

    @Override
    public void moveIn(Path file, String key) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        replace(file, target);
    }

    @Override
    public void write(String key, byte[] content) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path written = Files.createTempFile(target.getParent(), ".", ".tmp");
        try {
            Files.write(written, content);
            replace(written, target);
        } finally {
            Files.deleteIfExists(written);
        }
    }

    @Override
    public Optional<InputStream> open(String key) throws IOException {
        try {
            return Optional.of(Files.newInputStream(path(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The file itself: nothing to copy. */
    @Override
    public Optional<LocalFile> localFile(String key) {
        Path file = path(key);
        return Files.isRegularFile(file) ? Optional.of(new LocalFile(file, false)) : Optional.empty();
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(path(key));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        collect(path(prefix.substring(0, prefix.lastIndexOf('/') + 1)), prefix, keys);
        return keys;
    }

    /**
     * Adds the keys below {@code folder} that begin with {@code prefix}. Entries are only listed and tested, never
     * required to exist: one deleted or moved in meanwhile is simply seen or not.
     */
    private void collect(Path folder, String prefix, List<String> keys) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> listed = Files.list(folder)) {
            entries = listed.filter(entry -> !entry.getFileName().toString().startsWith(".")).toList();
        } catch (NoSuchFileException e) {
            return;
        }
        for (Path entry : entries) {
            String key = root.relativize(entry).toString().replace(entry.getFileSystem().getSeparator(), "/");
            if (Files.isDirectory(entry) && !entry.equals(spool)
                    && (prefix.startsWith(key + "/") || (key + "/").startsWith(prefix))) {
                collect(entry, prefix, keys);
            } else if (Files.isRegularFile(entry) && key.startsWith(prefix)) {
                keys.add(key);
            }
        }
    }

    /** The key's file; a key that would lead out of the folder is refused, whatever its caller checked. */
    private Path path(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.startsWith(spool)) {
            throw new IllegalArgumentException("not a key of this store: " + key);
        }
        return path;
    }

    /** Moves {@code from} over {@code to} atomically where the file system can, else replacing it. */
    private static void replace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }

    @Override
    public void close() {
        // Nothing held open.
    }
}
