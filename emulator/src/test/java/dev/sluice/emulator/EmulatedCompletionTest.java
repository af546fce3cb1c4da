package dev.sluice.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.tokenizer.ModelTokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tests for {@link EmulatedCompletion} and {@link WordTokens}. */
class EmulatedCompletionTest {

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
    void theBundledTokenizerNeverJoinsTwoWords() {
        assertThat(WordTokens.of(tokenizer)).isPresent();
    }

    @Test
    void wordByWordIdsAreThoseOfTheWholeAnswerCut() {
        for (int i = 0; i < 400; i++) {
            String prompt = (i % 2 == 0 ? "prompt " : "日本語で答えてください ") + i;
            for (int maxTokens : new int[] {1, 3, 4, 16, 64, 128, 1000}) {
                EmulatedCompletion completion = EmulatedCompletion.of(tokenizer, prompt, maxTokens);

                EmulatedCompletion whole = cutWhole(prompt, maxTokens);
                assertThat(completion.outputIds()).as(prompt + " at " + maxTokens).containsExactly(whole.outputIds());
                assertThat(completion.text()).as(prompt + " at " + maxTokens).isEqualTo(whole.text());
                assertThat(completion.finishReason()).as(prompt + " at " + maxTokens)
                        .isEqualTo(whole.finishReason());
            }
        }
    }

    @Test
    void anAnswerLongerThanMaxTokensEndsOnLength() {
        String prompt = "a long answer please";
        int natural = tokenizer.encode(EmulatedText.completion(prompt, EmulatedText.naturalLength(prompt))).length;

        assertThat(EmulatedCompletion.of(tokenizer, prompt, natural).finishReason()).isEqualTo("stop");
        assertThat(EmulatedCompletion.of(tokenizer, prompt, natural - 1).finishReason()).isEqualTo("length");
        assertThat(EmulatedCompletion.of(tokenizer, prompt, natural - 1).tokens()).isEqualTo(natural - 1);
    }

    /** The answer as the emulator made it before word ids: the whole natural answer tokenized, then cut. */
    private static EmulatedCompletion cutWhole(String prompt, int maxTokens) {
        String natural = EmulatedText.completion(prompt, EmulatedText.naturalLength(prompt));
        int[] ids = tokenizer.encode(natural);
        if (ids.length <= maxTokens) {
            return new EmulatedCompletion(ids, natural, "stop");
        }
        int[] cut = Arrays.copyOf(ids, maxTokens);
        return new EmulatedCompletion(cut, tokenizer.decode(cut).replaceAll("\uFFFD+$", ""), "length");
    }
}
