package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link TokenEstimate}. */
class TokenEstimateTest {

    @Test
    void japaneseCountsAboutOneTokenACharacter() {
        String japanese = "東京の天気は晴れです。明日は雨が降るでしょう。";

        assertThat(TokenEstimate.of(japanese)).isEqualTo(japanese.length());
    }

    @Test
    void englishCountsMoreTokensThanATypicalVocabularyGives() {
        String english = "The quick brown fox jumps over the lazy dog, twice.";

        // A BPE vocabulary gives about 12 tokens; the estimate errs high.
        assertThat(TokenEstimate.of(english)).isEqualTo(16).isGreaterThan(english.length() / 4);
    }

    @Test
    void twoByteAlphabetsCountHalfATokenACharacter() {
        assertThat(TokenEstimate.of("Привет")).isEqualTo(3);
        assertThat(TokenEstimate.of("ééé")).isEqualTo(2);
    }

    @Test
    void anyOneCharacterFitsAOneTokenBudget() {
        for (String character : new String[] {"a", "é", "あ", "漢", "😀"}) {
            assertThat(TokenEstimate.tenths(character.codePointAt(0))).isBetween(1, 10);
            assertThat(TokenEstimate.of(character)).isEqualTo(1);
        }
    }

    @Test
    void aHugeTextDoesNotOverflow() {
        assertThat(TokenEstimate.tokens(Long.MAX_VALUE - 9)).isEqualTo(Integer.MAX_VALUE);
    }
}
