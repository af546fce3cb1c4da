package dev.sluice.serve;

import dev.sluice.config.ServeSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where {@code sluice serve} keeps what outlives it (the files' bytes and descriptions, the batches' records) as
 * objects named by {@code /}-separated keys such as {@code files/<tenant>/<id>}: a local folder for one host
 * ({@link FolderStore}), or a prefix of an S3-compatible bucket ({@link S3Store}), from which a server on another
 * host carries on. Content goes in from a local file and comes out as a stream, never whole in memory; an object is
 * replaced whole, so a reader sees the old version or the new one, never half of either.
 */
interface ObjectStore extends AutoCloseable {

    /**
     * The store {@code serve.files} names: {@code s3://bucket/prefix}, else a folder, which {@code folderOf}
     * resolves.
     */
    static ObjectStore open(ServeSettings serve, Function<String, Path> folderOf) {
        return S3Location.of(serve.files()).<ObjectStore>map(location -> S3Store.open(location, serve.s3()))
                .orElseGet(() -> new FolderStore(folderOf.apply(serve.files())));
    }

    /** A local file read in place, or a copy that closing deletes. */
    record LocalFile(Path path, boolean isCopy) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (isCopy) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * A local folder for content on its way in: uploads while they arrive, a batch's output while it is written,
     * copies for {@link #localFile}.
     */
    Path spool();

    /** Stores the content of {@code file} as {@code key}, replacing any object there; {@code file} is gone after. */
    void moveIn(Path file, String key) throws IOException;

    /** Stores a small object, such as a description, from memory. */
    void write(String key, byte[] content) throws IOException;

    /** The object's content for the caller to read and close, or empty when there is none. */
    Optional<InputStream> open(String key) throws IOException;

    /** Removes the object, if there is one. */
    void delete(String key) throws IOException;

    /** The keys that begin with {@code prefix}, in no particular order. */
    List<String> list(String prefix) throws IOException;

    /**
     * The object as a local file, for a reader that needs one (the bulk submitter reads its input twice): a copy in
     * {@link #spool}, streamed there, unless the store has a file to read in place. Empty when there is no object.
     */
    default Optional<LocalFile> localFile(String key) throws IOException {
        Optional<InputStream> content = open(key);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        Path copy = Files.createTempFile(spool(), "copy-", ".part");
        try (InputStream in = content.get()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(copy);
            throw e;
        }
        return Optional.of(new LocalFile(copy, true));
    }

    @Override
    void close();
}
