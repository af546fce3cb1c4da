package dev.sluice.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ServeSettings;
import dev.sluice.config.ServeSettings.ApiKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

    @TempDir
    Path dir;

    @Test
    void aKeyActsForTheTenantItsHashIsListedFor() throws Exception {
        String acme = ApiKeys.newKey();
        String globex = ApiKeys.newKey();
        Path file = dir.resolve("keys");
        Files.writeString(file, "# mounted secret\n\nglobex " + ApiKeys.hash(globex) + "\n");
        ApiKeys keys = ApiKeys.of(ServeSettings.ofDefaults().withApiKeys(List.of(new ApiKey("acme",
                ApiKeys.hash(acme)))), file);

        assertThat(keys.tenant("Bearer " + acme)).contains("acme");
        assertThat(keys.tenant("bearer " + globex)).contains("globex");
        assertThat(keys.tenant("Bearer " + ApiKeys.newKey())).isEmpty();
        assertThat(keys.tenant(acme)).as("no Bearer scheme").isEmpty();
        assertThat(keys.tenant(null)).isEmpty();
    }

    @Test
    void theConfigurationHoldsNoKeyOnlyItsHash() {
        String key = ApiKeys.newKey();
        assertThat(key).startsWith("sk-").hasSizeGreaterThan(40);
        assertThat(ApiKeys.hash(key)).hasSize(64).doesNotContain(key.substring(3));
        assertThat(ApiKeys.newKey()).isNotEqualTo(key);
    }

    @Test
    void aMalformedEntryIsRefusedNamingItsLine() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "acme " + ApiKeys.hash("k") + "\nglobex not-a-hash\n");
        assertThatThrownBy(() -> ApiKeys.of(ServeSettings.ofDefaults(), file))
                .hasMessageContaining("line 2").hasMessageContaining("sha256");
        assertThatThrownBy(() -> new ApiKey("../etc", ApiKeys.hash("k"))).hasMessageContaining("tenant");
    }
}
