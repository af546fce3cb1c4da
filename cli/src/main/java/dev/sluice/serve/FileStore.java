package dev.sluice.serve;

import java.io.IOException;
import java.io.InputStream;
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
 * The files of {@code sluice serve} in an {@link ObjectStore}: {@code files/<tenant>/<id>} holds a file's bytes and
 * {@code <id>.json} what the Files API says of it. Content is streamed in and out, never held whole in memory; it is
 * written to the store's spool first and moved in once complete. A file past its expiry is gone for every reader at
 * once and its bytes are deleted by {@link #sweep}.
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

    private final ObjectStore store;
    private final Documents<FileObject> described;

    FileStore(ObjectStore store) {
        this.store = store;
        this.described = new Documents<>(store, "files", FileObject.class, FileObject::id, IDS);
    }

    /** Where content is written before it is stored: uploads while they arrive, outputs while they are written. */
    Path spool() {
        return store.spool();
    }

    /**
     * Stores a new file of {@code tenant} whose content {@code writer} writes.
     *
     * @param createdAt when it was received, in Unix seconds: what its expiry counts from, however long storing it
     *     takes
     * @param expiresAt Unix seconds or null
     */
    FileObject add(String tenant, String filename, String purpose, long createdAt, Long expiresAt,
            ContentWriter writer) {
        String id = newId();
        // A name no other file has, and none yet: a spooled upload is moved there, not copied.
        Path written = store.spool().resolve(id + ".part");
        try {
            try {
                writer.writeTo(written);
                long bytes = Files.size(written);
                store.moveIn(written, key(tenant, id));
                FileObject file = new FileObject(id, bytes, createdAt, filename, purpose, expiresAt);
                described.save(tenant, file);
                return file;
            } finally {
                Files.deleteIfExists(written);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a file of tenant " + tenant, e);
        }
    }

    /** The tenant's file, unless it does not exist, is another tenant's or has expired. */
    Optional<FileObject> find(String tenant, String id) {
        long now = System.currentTimeMillis() / 1000;
        return described.find(tenant, id).filter(file -> !file.isExpired(now));
    }

    /** The bytes of a file {@link #find} returned, for the caller to close; empty if it was deleted since. */
    Optional<InputStream> content(String tenant, FileObject file) {
        try {
            return store.open(key(tenant, file.id()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the content of " + file.id(), e);
        }
    }

    /** The bytes of a file {@link #find} returned as a local file; empty if it was deleted since. */
    Optional<ObjectStore.LocalFile> localFile(String tenant, FileObject file) {
        try {
            return store.localFile(key(tenant, file.id()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the content of " + file.id(), e);
        }
    }

    boolean delete(String tenant, String id) {
        if (find(tenant, id).isEmpty()) {
            return false;
        }
        remove(tenant, id);
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

    /** What the tenant's files hold together now, expired ones aside. */
    long bytes(String tenant) {
        long now = System.currentTimeMillis() / 1000;
        return described.all(tenant).stream().filter(file -> !file.isExpired(now)).mapToLong(FileObject::bytes).sum();
    }

    /** Deletes every expired file; how many. */
    int sweep() {
        long now = System.currentTimeMillis() / 1000;
        int deleted = 0;
        for (String tenant : described.tenants()) {
            for (FileObject file : described.all(tenant)) {
                if (file.isExpired(now)) {
                    remove(tenant, file.id());
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /** The description first: once it is gone, so is the file for every reader, whatever becomes of the bytes. */
    private void remove(String tenant, String id) {
        described.delete(tenant, id);
        try {
            store.delete(key(tenant, id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the content of " + id, e);
        }
    }

    private static String key(String tenant, String id) {
        return "files/" + tenant + "/" + id;
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
