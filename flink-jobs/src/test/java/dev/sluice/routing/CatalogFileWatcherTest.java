package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link CatalogFileWatcher}. */
class CatalogFileWatcherTest {

    private static final String MODEL = "models:\n  - {id: %s, family: F, vendor: V, origin: US, params-b: 1, "
            + "context: 1024, license: mit, commercial: yes, japanese: good}\n";

    @Test
    void passesOnEachNewValidVersionOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("catalog.yaml");
        List<Catalog> published = new ArrayList<>();
        CatalogFileWatcher watcher = new CatalogFileWatcher(file, published::add);

        Files.writeString(file, MODEL.formatted("first"));
        assertThat(watcher.checkOnce()).isTrue();
        assertThat(watcher.checkOnce()).isFalse();
        Files.writeString(file, "models: [ {id: broken");
        assertThat(watcher.checkOnce()).isFalse();
        Files.writeString(file, MODEL.formatted("second"));
        assertThat(watcher.checkOnce()).isTrue();

        assertThat(published).extracting(c -> c.models().get(0).id()).containsExactly("first", "second");
    }
}
