package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sluice.backend.TokenEstimate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Chunker}. */
class ChunkerTest {

    @Test
    void aTextThatFitsIsOnePart() {
        // Six ASCII characters are 1.8 tokens, seven are 2.1.
        assertThat(Chunker.split("Six ch", 2)).containsExactly("Six ch");
        assertThat(Chunker.split("Seven c", 2)).hasSize(2);
    }

    @Test
    void aBudgetBelowOneTokenIsRefused() {
        assertThatThrownBy(() -> Chunker.split("text", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aParagraphBreakIsPreferredToLaterLineAndSentenceBreaks() {
        String first = "First paragraph.\n\n";
        String text = first + "Second. It has a line\nbreak and more words after it.";

        List<String> parts = Chunker.split(text, 10);

        assertThat(parts.get(0)).isEqualTo(first);
        assertThat(String.join("", parts)).isEqualTo(text);
    }

    @Test
    void aPartKeepsTheBlankLinesAfterIt() {
        assertThat(Chunker.split("Alpha beta.\n\n\n\nGamma delta epsilon.", 5))
                .first().isEqualTo("Alpha beta.\n\n\n\n");
    }

    @Test
    void aLineBreakIsPreferredToASentenceEnd() {
        assertThat(Chunker.split("One line\nthen. A sentence and more", 5))
                .first().isEqualTo("One line\n");
    }

    @Test
    void aSentenceEndIsPreferredToOtherWhitespaceAndKeepsItsSpaces() {
        assertThat(Chunker.split("One two.  Three four five six", 5))
                .first().isEqualTo("One two.  ");
    }

    @Test
    void aJapaneseSentenceEndNeedsNoSpace() {
        String text = "これは最初の文です。次の文はもう少し長いです";

        assertThat(Chunker.split(text, 10)).first().isEqualTo("これは最初の文です。");
    }

    @Test
    void withoutABreakTheTextIsCutBetweenCodePoints() {
        String emoji = "😀".repeat(10);

        List<String> parts = Chunker.split("a" + emoji, 2);

        assertThat(parts).containsExactly("a😀", "😀😀", "😀😀", "😀😀", "😀😀", "😀");
    }

    @Test
    void leadingWhitespaceIsNotAPartOfItsOwn() {
        List<String> parts = Chunker.split("\n\n\nHeading words go on and on", 3);

        assertThat(parts.get(0)).isNotBlank();
        assertThat(String.join("", parts)).isEqualTo("\n\n\nHeading words go on and on");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomEnglishSplitsLosslesslyWithinTheBudget(long seed) {
        Random random = new Random(seed);
        String text = english(random, 3_000);
        for (int maxTokens : new int[] {1, 3, 17, 64, 500}) {
            checkParts(text, maxTokens);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomJapaneseWithoutSpacesSplitsLosslesslyWithinTheBudget(long seed) {
        Random random = new Random(seed);
        String text = japanese(random, 3_000);
        for (int maxTokens : new int[] {1, 2, 3, 17, 64, 500}) {
            List<String> parts = checkParts(text, maxTokens);
            if (maxTokens >= 64) {
                // Sentences are far shorter than a part: every part but the last ends one.
                assertThat(parts.subList(0, parts.size() - 1))
                        .allSatisfy(part -> assertThat(part.charAt(part.length() - 1)).isIn('。', '！'));
            }
        }
    }

    @Test
    void twoMegabytesSplitQuickly() {
        String text = english(new Random(42), 350_000);
        assertThat(text.length()).isGreaterThan(2_000_000);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> checkParts(text, 1_000));
    }

    @Test
    void longRunsOfWhitespaceSplitQuickly() {
        String text = ("word " + " ".repeat(500_000) + "\n").repeat(4);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> checkParts(text, 50_000));
    }

    @Test
    void theSampleDesignDocumentSplitsAtParagraphs() throws IOException {
        String text = Files.readString(Path.of("..", "config", "samples", "bulk", "docs", "tiered-storage-design.txt"));

        List<String> parts = checkParts(text, 1_000);

        assertThat(parts).hasSizeGreaterThan(10);
        assertThat(parts.subList(0, parts.size() - 1)).allSatisfy(part -> assertThat(part).endsWith("\n\n"));
    }

    private static List<String> checkParts(String text, int maxTokens) {
        List<String> parts = Chunker.split(text, maxTokens);

        assertThat(String.join("", parts)).isEqualTo(text);
        for (String part : parts) {
            assertThat(part).isNotEmpty();
            assertThat(TokenEstimate.of(part)).isLessThanOrEqualTo(maxTokens);
            assertThat(Character.isLowSurrogate(part.charAt(0))).as("starts inside a pair").isFalse();
            assertThat(Character.isHighSurrogate(part.charAt(part.length() - 1))).as("ends inside a pair").isFalse();
        }
        return parts;
    }

    /** Words, sentences, line breaks, paragraphs and the odd emoji or accented letter. */
    private static String english(Random random, int words) {
        String[] vocabulary = {"the", "stream", "of", "prompts", "naïve", "batch", "Kafka", "checkpoint", "😀",
            "throughput", "a", "latency", "exactly-once", "model", "router"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(vocabulary[random.nextInt(vocabulary.length)]);
            int roll = random.nextInt(100);
            text.append(roll < 8 ? ". " : roll < 10 ? "!\n" : roll < 12 ? ".\n\n" : roll < 13 ? "   " : " ");
        }
        return text.toString();
    }

    /** Kana and kanji with 。 and ！ and no spaces, and the odd character outside the BMP. */
    private static String japanese(Random random, int sentences) {
        String characters = "あいうえおかきくけこさしすせそ日本語文章要約翻訳処理𠮷";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            int length = 3 + random.nextInt(20);
            for (int j = 0; j < length; j++) {
                text.appendCodePoint(characters.codePointAt(characters.offsetByCodePoints(0,
                        random.nextInt(characters.codePointCount(0, characters.length())))));
            }
            text.append(random.nextInt(10) == 0 ? "！" : "。");
        }
        return text.toString();
    }
}
