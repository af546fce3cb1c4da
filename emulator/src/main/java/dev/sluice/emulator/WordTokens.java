package dev.sluice.emulator;

import dev.sluice.backend.tokenizer.ModelTokenizer;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.stream.IntStream;

/**
 * The token ids of each word {@link EmulatedText} writes, under one tokenizer, so that a completion's ids are its
 * words' ids one after another, and a completion cut at a few tokens need not tokenize the whole answer it was cut
 * from (a tokenizer call costs in proportion to the text, and the emulator makes one per request).
 *
 * <p>That holds when no token spans two words, as with byte-level BPE: its pre-tokenizer splits before each space
 * and punctuation, and the bundled tokenizer has no merge across the Japanese words it runs together. It is checked
 * when the ids are built, on every pair of words of a language; a tokenizer that fails the check gets no word ids,
 * and its completions are tokenized whole.
 */
final class WordTokens {

    private static final Map<ModelTokenizer, Optional<WordTokens>> BUILT =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final Map<String, int[]> ids;

    private WordTokens(Map<String, int[]> ids) {
        this.ids = ids;
    }

    /** The word ids under {@code tokenizer}, or empty where its tokens may span words. */
    static Optional<WordTokens> of(ModelTokenizer tokenizer) {
        return BUILT.computeIfAbsent(tokenizer, WordTokens::build);
    }

    /** The ids of {@code word}, one of {@link EmulatedText}'s. */
    int[] ids(String word) {
        return ids.get(word);
    }

    private static Optional<WordTokens> build(ModelTokenizer tokenizer) {
        Map<String, int[]> ids = new HashMap<>();
        for (List<String> words : EmulatedText.vocabularies()) {
            words.forEach(word -> ids.put(word, tokenizer.encode(word)));
        }
        for (List<String> words : EmulatedText.vocabularies()) {
            for (String first : words) {
                for (String second : words) {
                    int[] joined = IntStream.concat(IntStream.of(ids.get(first)), IntStream.of(ids.get(second)))
                            .toArray();
                    if (!Arrays.equals(tokenizer.encode(first + second), joined)) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.of(new WordTokens(ids));
    }
}
