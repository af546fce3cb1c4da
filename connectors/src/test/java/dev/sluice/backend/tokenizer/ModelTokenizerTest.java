package dev.sluice.backend.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ChatTurn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link ModelTokenizer} and {@link IncrementalDetokenizer}. */
class ModelTokenizerTest {

    private static ModelTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = ModelTokenizer.bundled();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void japaneseRoundTripsThroughByteLevelTokens() {
        String text = "日本語の要約です。";

        int[] ids = tokenizer.encode(text);

        // Byte-level BPE: each of these characters is three UTF-8 bytes, each byte a token.
        assertThat(ids).hasSize(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    @Test
    void idsAreThoseOfTheLibrarysWholeEncoding() throws Exception {
        String text = "<|im_start|>user\nthe cat 日本語 is in the garden 🙂<|im_end|>\n";
        try (var reference = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(
                getClass().getResourceAsStream("/dev/sluice/tokenizer/tokenizer.json"),
                java.util.Map.of("addSpecialTokens", "false"))) {
            long[] expected = reference.encode(text, false, false).getIds();

            assertThat(tokenizer.encode(text)).containsExactly(java.util.Arrays.stream(expected)
                    .mapToInt(Math::toIntExact).toArray());
        }
    }

    @Test
    void longTextIsNeverTruncated() {
        assertThat(tokenizer.encode("x".repeat(9000))).hasSize(9000);
    }

    @Test
    void mergesShortenEnglish() {
        String text = "the cat is in the garden";

        int[] ids = tokenizer.encode(text);

        assertThat(ids.length).isLessThan(text.length());
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    @Test
    void theChatTemplateFramesEachTurnAndOpensTheAnswer() {
        String prompt = tokenizer.applyChatTemplate(List.of(
                new ChatTurn("system", "Be brief."), new ChatTurn("user", "こんにちは")));

        assertThat(prompt).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n"
                + "<|im_start|>user\nこんにちは<|im_end|>\n<|im_start|>assistant\n");
        // Special tokens are single tokens, not their characters.
        assertThat(tokenizer.encode("<|im_start|>")).hasSize(1);
    }

    @Test
    void aLongStreamReleasesExactlyItsTextPieceByPiece() {
        StringBuilder built = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            built.append(i % 3 == 0 ? "日本語の要約です。" : " the model answers request ").append(i);
        }
        String text = built.toString();
        IncrementalDetokenizer detokenizer = tokenizer.detokenizer();
        StringBuilder streamed = new StringBuilder();
        int[] ids = tokenizer.encode(text);

        // Uneven chunks, as streams deliver them.
        for (int from = 0; from < ids.length; from += 1 + from % 3) {
            String piece = detokenizer.append(java.util.Arrays.copyOfRange(ids, from,
                    Math.min(ids.length, from + 1 + from % 3)));
            assertThat(piece).doesNotContain("\uFFFD");
            streamed.append(piece);
        }

        assertThat(streamed.toString()).isEqualTo(text);
        assertThat(detokenizer.tokens()).isEqualTo(ids.length);
    }

    @Test
    void streamingNeverReleasesHalfACharacter() {
        String text = "翻訳の結果を示します、the end";
        IncrementalDetokenizer detokenizer = tokenizer.detokenizer();
        StringBuilder streamed = new StringBuilder();

        for (int id : tokenizer.encode(text)) {
            String piece = detokenizer.append(new int[] {id});
            assertThat(piece).doesNotContain("\uFFFD");
            streamed.append(piece);
        }

        assertThat(streamed.toString()).isEqualTo(text);
        assertThat(detokenizer.text()).isEqualTo(text);
    }

    @Test
    void tokensAddedWithoutDecodingComeOutWithTheNextReleaseAndInTheText() {
        String text = "日本語の要約です。 the model answers";
        int[] ids = tokenizer.encode(text);
        int half = ids.length / 2;
        IncrementalDetokenizer detokenizer = tokenizer.detokenizer();

        detokenizer.add(java.util.Arrays.copyOf(ids, half));
        String released = detokenizer.append(java.util.Arrays.copyOfRange(ids, half, ids.length));

        assertThat(released).isEqualTo(text);
        assertThat(detokenizer.tokens()).isEqualTo(ids.length);

        IncrementalDetokenizer heldOnly = tokenizer.detokenizer();
        heldOnly.add(ids);
        assertThat(heldOnly.text()).isEqualTo(text);
    }

    @Test
    void aWorkersTokenizerArchiveLoads(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("archive.zip"), ModelTokenizer.bundledArchive());

        try (ModelTokenizer fromArchive = ModelTokenizer.fromZip(Files.readAllBytes(dir.resolve("archive.zip")))) {
            assertThat(fromArchive.encode("hello 世界")).isEqualTo(tokenizer.encode("hello 世界"));
        }
    }

    @Test
    void aMessageThatLooksLikeATemplateReachesTheModelAsWritten() {
        String rendered = tokenizer.applyChatTemplate(List.of(new ChatTurn("user", "what is {{ 7 * 7 }}?")));

        assertThat(rendered).contains("what is {{ 7 * 7 }}?").doesNotContain("49");
    }

    @Test
    void aTokenizerMadeOnAThreadWhoseContextLoaderCannotSeeJinjavaStillRendersItsTemplate() throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // As on a callback thread left with a finished Flink job's closed class loader.
        try (java.net.URLClassLoader blind = new java.net.URLClassLoader(new java.net.URL[0], null)) {
            thread.setContextClassLoader(blind);
            try (ModelTokenizer made = ModelTokenizer.bundled()) {
                assertThat(made.applyChatTemplate(java.util.List.of(new dev.sluice.backend.ChatTurn("user", "hi"))))
                        .contains("hi");
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }
}
