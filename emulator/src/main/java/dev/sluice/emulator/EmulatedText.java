package dev.sluice.emulator;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic stand-in output: the same prompt always yields the same completion, in Japanese when the
 * prompt is Japanese or asks for Japanese, so tests can assert on text and encodings.
 */
public final class EmulatedText {

    private static final String[] ENGLISH = {
        " the", " model", " stream", " answer", " batch", " token", " server", " request", " quickly", " and",
        " data", " result", " is", " a", " clear", " summary", " of", " this", " text", " with", " care", "."
    };
    private static final String[] JAPANESE = {
        "これは", "要約", "です", "。", "翻訳", "の", "結果", "を", "示し", "ます", "データ", "処理", "が", "速い",
        "日本語", "で", "答え", "、"
    };

    private EmulatedText() {}

    /** How many tokens the model "wants" to say before stopping on its own, before max_tokens applies. */
    public static int naturalLength(String prompt) {
        return 8 + Math.floorMod(prompt.hashCode(), 57);
    }

    /** The completion of {@code prompt} cut at {@code tokens} tokens. */
    public static String completion(String prompt, int tokens) {
        return String.join("", words(prompt, tokens));
    }

    /** The first {@code count} words of {@code prompt}'s completion: {@link #completion} joins them. */
    static String[] words(String prompt, int count) {
        String[] vocabulary = wantsJapanese(prompt) ? JAPANESE : ENGLISH;
        SplittableRandom random = new SplittableRandom(prompt.hashCode());
        String[] words = new String[count];
        for (int i = 0; i < count; i++) {
            words[i] = vocabulary[random.nextInt(vocabulary.length)];
        }
        return words;
    }

    /** The words a completion may use, one list per language. */
    static List<List<String>> vocabularies() {
        return List.of(List.of(ENGLISH), List.of(JAPANESE));
    }

    private static boolean wantsJapanese(String prompt) {
        if (prompt.contains("Japanese") || prompt.contains("日本語")) {
            return true;
        }
        return prompt.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HIRAGANA
                || Character.UnicodeScript.of(c) == Character.UnicodeScript.KATAKANA);
    }
}
