package dev.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link Truncation}. */
class TruncationTest {

    @Test
    void textWithinTheCapIsKeptWhole() {
        assertThat(Truncation.text("abc", 3)).isEqualTo("abc");
        assertThat(Truncation.text(null, 3)).isNull();
    }

    @Test
    void longerTextKeepsItsHeadAndSaysHowMuchWasCut() {
        assertThat(Truncation.text("a".repeat(600_000), 64)).isEqualTo("a".repeat(64) + "… [truncated 599936 chars]");
    }

    @Test
    void theCutNeverSplitsASurrogatePair() {
        String text = "ab\uD83D\uDE00cd";

        assertThat(Truncation.text(text, 3)).isEqualTo("ab… [truncated 4 chars]");
    }
}
