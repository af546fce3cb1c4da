package dev.sluice.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreTest {

    private static final long NOW = System.currentTimeMillis() / 1000;

    @TempDir
    Path dir;

    @Test
    void aFileIsItsTenantsAloneAndGoneOnceDeleted() {
        FileStore store = new FileStore(new FolderStore(dir));
        FileObject file = store.add("acme", "in.jsonl", FileObject.BATCH, NOW, null,
                into -> Files.writeString(into, "{}\n"));

        assertThat(file.id()).matches(FileStore.IDS.pattern());
        assertThat(file.bytes()).isEqualTo(3);
        assertThat(store.find("acme", file.id())).contains(file);
        assertThat(store.find("globex", file.id())).isEmpty();
        assertThat(store.delete("globex", file.id())).isFalse();
        assertThat(store.delete("acme", file.id())).isTrue();
        assertThat(store.find("acme", file.id())).isEmpty();
    }

    @Test
    void anIdThatIsNotOneOfOursNeverReachesTheFileSystem() throws Exception {
        FileStore store = new FileStore(new FolderStore(dir));
        Files.createDirectories(dir.resolve("files/acme"));
        Files.writeString(dir.resolve("secret.json"), "{\"id\":\"x\"}");

        assertThat(store.find("acme", "../../secret")).isEmpty();
        assertThat(store.delete("acme", "../../secret")).isFalse();
        assertThat(dir.resolve("secret.json")).exists();
    }

    @Test
    void anExpiredFileIsGoneForReadersAndSweptFromDisk() {
        ExpiryCase files = ExpiryCase.sweptIn(new FileStore(new FolderStore(dir)));
        FileObject expired = files.expired();
        FileObject kept = files.kept();

        assertThat(dir.resolve("files/acme/" + expired.id())).doesNotExist();
        assertThat(dir.resolve("files/acme/" + kept.id())).exists();
    }

    @Test
    void listsPageByTheLastIdSeen() {
        FileStore store = new FileStore(new FolderStore(dir));
        for (int i = 0; i < 5; i++) {
            store.add("acme", i + ".jsonl", i % 2 == 0 ? FileObject.BATCH : FileObject.BATCH_OUTPUT, NOW + i,
                    null, into -> Files.writeString(into, "{}\n"));
        }
        FileStore.Page first = store.list("acme", null, null, 2, false);
        FileStore.Page second = store.list("acme", null, first.files().get(1).id(), 2, false);
        FileStore.Page last = store.list("acme", null, second.files().get(1).id(), 2, false);

        assertThat(first.hasMore()).isTrue();
        assertThat(second.hasMore()).isTrue();
        assertThat(last.files()).hasSize(1);
        assertThat(last.hasMore()).isFalse();
        assertThat(store.list("acme", FileObject.BATCH, null, 10, true).files()).hasSize(3)
                .allMatch(file -> file.purpose().equals(FileObject.BATCH));
    }

    /**
     * A file past its expiry and one without, in {@code store}: the expired one is gone for readers and lists at
     * once, and the sweep deletes it alone. Whatever the store keeps on disk or in a bucket is the caller's to check.
     */
    record ExpiryCase(FileObject expired, FileObject kept) {

        static ExpiryCase sweptIn(FileStore store) {
            FileObject expired = store.add("acme", "old.jsonl", FileObject.BATCH, NOW, NOW - 1,
                    into -> Files.writeString(into, "{}\n"));
            FileObject kept = store.add("acme", "new.jsonl", FileObject.BATCH, NOW, null,
                    into -> Files.writeString(into, "{}\n"));
            assertThat(store.find("acme", expired.id())).isEmpty();
            assertThat(store.list("acme", null, null, 10, true).files()).containsExactly(kept);
            assertThat(store.sweep()).isEqualTo(1);
            return new ExpiryCase(expired, kept);
        }
    }
}
