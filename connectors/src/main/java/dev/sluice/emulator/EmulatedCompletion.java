package dev.sluice.emulator;

import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.intake.JsonSchemaText;
import java.util.Arrays;

/**
 * What an emulated model answers, counted in the tokens of its tokenizer: the deterministic text of
 * {@link EmulatedText}, or for a request with a JSON schema a JSON value valid against it ({@link SchemaExample}),
 * cut at {@code maxTokens} tokens. Regular expressions and grammars are accepted and not followed.
 *
 * @param outputIds the generated token ids
 * @param text their text, without a character the cut left incomplete
 * @param finishReason {@code stop} when the model ended on its own, {@code length} when max tokens cut it
 */
public record EmulatedCompletion(int[] outputIds, String text, String finishReason) {

    public static EmulatedCompletion of(ModelTokenizer tokenizer, String prompt, int maxTokens) {
        return cut(tokenizer, EmulatedText.completion(prompt, EmulatedText.naturalLength(prompt)), maxTokens);
    }

    /**
     * The answer to a request whose output must be valid against {@code jsonSchema}, or the free text when it is
     * null.
     *
     * @throws IllegalArgumentException when the schema is not one JSON object, as a server would refuse it
     */
    public static EmulatedCompletion of(ModelTokenizer tokenizer, String prompt, int maxTokens, String jsonSchema) {
        return jsonSchema == null ? of(tokenizer, prompt, maxTokens)
                : cut(tokenizer, SchemaExample.of(JsonSchemaText.parse(jsonSchema)).toString(), maxTokens);
    }

    private static EmulatedCompletion cut(ModelTokenizer tokenizer, String natural, int maxTokens) {
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
