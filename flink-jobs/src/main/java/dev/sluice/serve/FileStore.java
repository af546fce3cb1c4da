package dev.sluice.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The files of {@code sluice serve} in a local folder: {@code files/<tenant>/<id>} holds a file's bytes and
 * {@code <id>.json} what the Files API says of it. Content is streamed in and out, never held whole in memory;
 * uploads land in {@code uploads/} first, on the same file system, and are moved into place once complete. A file
 * past its expiry is gone for every reader at once and its bytes are deleted by {@link #sweep}.
 */
public final class FileStore {

    static final Pattern IDS = Pattern.compile("file-[0-9a-f]{24}");

    /** What writes a file's content. */
    @FunctionalInterface
    interface ContentWriter {
        void writeTo(Path file) throws IOException;
    }

    /** A page of a tenant's files. */
    record Page(List<FileObject> files, boolean hasMore) {}

    private final Path files;
    private final Path uploads;
    private final Documents<FileObject> described;

    public FileStore(Path root) {
        this.files = root.resolve("files");
        this.uploads = root.resolve("uploads");
        this.described = new Documents<>(files, FileObject.class, FileObject::id, IDS);
        try {
            Files.createDirectories(files);
            Files.createDirectories(uploads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the file store in " + root, e);
        }
    }

    /** Where uploads are spooled while they arrive. */
    Path uploads() {
        return uploads;
    }

    /**
     * Stores a new file of {@code tenant} whose content {@code writer} writes; {@code expiresAt} in Unix seconds or
     * null.
     */
    FileObject add(String tenant, String filename, String purpose, Long expiresAt, ContentWriter writer) {
        String id = newId();
        Path content = content(tenant, id);
        try {
            Files.createDirectories(content.getParent());
            // A name no other file has, and none yet: a spooled upload is moved there, not copied.
            Path written = content.resolveSibling("." + id + ".part");
            try {
                writer.writeTo(written);
                Documents.moveInto(written, content);
            } finally {
                Files.deleteIfExists(written);
            }
            FileObject file = new FileObject(id, Files.size(content), System.currentTimeMillis() / 1000, filename,
                    purpose, expiresAt);
            described.save(tenant, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a file of tenant " + tenant, e);
        }
    }

    /** The tenant's file, unless it does not exist, is another tenant's or has expired. */
    Optional<FileObject> find(String tenant, String id) {
        long now = System.currentTimeMillis() / 1000;
        return described.find(tenant, id).filter(file -> !file.isExpired(now));
    }

    /** The bytes of a file {@link #find} returned. */
    Path content(String tenant, FileObject file) {
        return content(tenant, file.id());
    }

    boolean delete(String tenant, String id) {
        if (find(tenant, id).isEmpty()) {
            return false;
        }
        described.delete(tenant, id);
        try {
            Files.deleteIfExists(content(tenant, id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the content of " + id, e);
        }
        return true;
    }

    /**
     * The tenant's files of {@code purpose} (all when null), newest first unless {@code ascending}, after the file
     * {@code after} in that order, at most {@code limit}.
     */
    Page list(String tenant, String purpose, String after, int limit, boolean ascending) {
        long now = System.currentTimeMillis() / 1000;
        Comparator<FileObject> order = Comparator.comparingLong(FileObject::createdAt).thenComparing(FileObject::id);
        List<FileObject> all = described.all(tenant).stream()
                .filter(file -> !file.isExpired(now) && (purpose == null || purpose.equals(file.purpose())))
                .sorted(ascending ? order : order.reversed()).toList();
        int from = 0;
        if (after != null) {
            from = all.stream().map(FileObject::id).toList().indexOf(after) + 1;
        }
        List<FileObject> page = all.subList(Math.min(from, all.size()), Math.min(from + limit, all.size()));
        return new Page(page, from + limit < all.size());
    }

    /** Deletes every expired file; how many. */
    int sweep() {
        long now = System.currentTimeMillis() / 1000;
        int deleted = 0;
        for (String tenant : described.tenants()) {
            for (FileObject file : described.all(tenant)) {
                if (file.isExpired(now)) {
                    described.delete(tenant, file.id());
                    try {
                        Files.deleteIfExists(content(tenant, file.id()));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot delete the content of " + file.id(), e);
                    }
                    deleted++;
                }
            }
        }
        return deleted;
    }

    private Path content(String tenant, String id) {
        return files.resolve(tenant).resolve(id);
    }

    static String newId() {
        return "file-" + randomHex();
    }

    /** 96 random bits: ids nobody guesses, so holding one is not mistaken for a right to it either. */
    static String randomHex() {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static final SecureRandom RANDOM = new SecureRandom();
}
