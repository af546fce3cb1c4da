package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Tests for {@link Yaml}'s bounds on hostile documents. */
class YamlTest {

    @Test
    void nestingBeyondTheLimitIsRefused() {
        String within = "a: " + "[".repeat(Yaml.MAX_NESTING_DEPTH - 1) + "]".repeat(Yaml.MAX_NESTING_DEPTH - 1);
        String beyond = "a: " + "[".repeat(1_000) + "]".repeat(1_000);

        assertThat(Yaml.tree(within, "within").get("a").isArray()).isTrue();
        assertThatThrownBy(() -> Yaml.tree(beyond, "beyond"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nesting depth");
    }

    @Test
    void aDocumentBeyondTheCodePointLimitIsRefused() {
        String line = "  - a line of a list that goes on and on\n";
        String huge = "a:\n" + line.repeat(Yaml.MAX_CODE_POINTS / line.length() + 1);

        assertThatThrownBy(() -> Yaml.tree(huge, "huge"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("code points");
    }

    @Test
    void aliasesAreRefusedRatherThanReadAsTheirAnchorsName() {
        String laughs = "a: &a [lol, lol]\nb: [*a, *a]\n";

        assertThatThrownBy(() -> Yaml.tree(laughs, "laughs")).hasMessageContaining("aliases");
        assertThatThrownBy(() -> Yaml.read("parallelism: *a\n", "job", JobSettings.class))
                .hasMessageContaining("aliases");
    }
}
