package dev.sluice.emulator;

import dev.sluice.backend.tokenizer.ModelTokenizer;
import java.util.Arrays;

/**
 * What an emulated model answers, counted in the tokens of its tokenizer: the deterministic text of
 * {@link EmulatedText}, cut at {@code maxTokens} tokens.
 *
 * @param outputIds the generated token ids
 * @param text their text, without a character the cut left incomplete
 * @param finishReason {@code stop} when the model ended on its own, {@code length} when max tokens cut it
 */
public record EmulatedCompletion(int[] outputIds, String text, String finishReason) {

    public static EmulatedCompletion of(ModelTokenizer tokenizer, String prompt, int maxTokens) {
        String natural = EmulatedText.completion(prompt, EmulatedText.naturalLength(prompt));
        int[] ids = tokenizer.encode(natural);
        if (ids.length <= maxTokens) {
            return new EmulatedCompletion(ids, natural, "stop");
        }
        int[] cut = Arrays.copyOf(ids, maxTokens);
        String text = tokenizer.decode(cut);
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return new EmulatedCompletion(cut, text.substring(0, end), "length");
    }

    public int tokens() {
        return outputIds.length;
    }
}
