package dev.sluice.emulator;

import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.intake.JsonSchemaText;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * What an emulated model answers, counted in the tokens of its tokenizer: the deterministic text of
 * {@link EmulatedText}, or for a request with a JSON schema a JSON value valid against it ({@link SchemaExample}),
 * cut at {@code maxTokens} tokens. Regular expressions and grammars are accepted and not followed.
 *
 * @param outputIds the generated token ids
 * @param text their text, without a character the cut left incomplete
 * @param finishReason {@code stop} when the model ended on its own, {@code length} when max tokens cut it,
 *     {@code stop_sequence} when it produced one of the request's stop strings ({@link #stoppedAt})
 */
public record EmulatedCompletion(int[] outputIds, String text, String finishReason) {

    public static EmulatedCompletion of(ModelTokenizer tokenizer, String prompt, int maxTokens) {
        String[] words = EmulatedText.words(prompt, EmulatedText.naturalLength(prompt));
        Optional<WordTokens> wordTokens = WordTokens.of(tokenizer);
        if (wordTokens.isEmpty()) {
            return cut(tokenizer, String.join("", words), maxTokens);
        }
        // The words' ids up to one past the cut: enough to tell a natural stop from one at max tokens.
        IntStream.Builder ids = IntStream.builder();
        int count = 0;
        int used = 0;
        while (used < words.length && count <= maxTokens) {
            for (int id : wordTokens.get().ids(words[used++])) {
                ids.add(id);
                count++;
            }
        }
        return count <= maxTokens ? new EmulatedCompletion(ids.build().toArray(), String.join("", words), "stop")
                : cutIds(tokenizer, ids.build().toArray(), maxTokens);
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
        return ids.length <= maxTokens ? new EmulatedCompletion(ids, natural, "stop")
                : cutIds(tokenizer, ids, maxTokens);
    }

    /** The first {@code maxTokens} of {@code ids}, which has more, as the text a reader sees. */
    private static EmulatedCompletion cutIds(ModelTokenizer tokenizer, int[] ids, int maxTokens) {
        int[] cut = Arrays.copyOf(ids, maxTokens);
        String text = tokenizer.decode(cut);
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return new EmulatedCompletion(cut, text.substring(0, end), "length");
    }

    /**
     * This completion ended at the first of {@code stops} it contains, as a server with stop strings ends it: the
     * model generated the tokens up to and including the stop string, and the text leaves the stop string out.
     * Unchanged when none occurs.
     */
    public EmulatedCompletion stoppedAt(List<String> stops, ModelTokenizer tokenizer) {
        int end = -1;
        String stop = null;
        for (String candidate : stops) {
            int at = candidate.isEmpty() ? -1 : text.indexOf(candidate);
            if (at >= 0 && (end < 0 || at < end)) {
                end = at;
                stop = candidate;
            }
        }
        if (stop == null) {
            return this;
        }
        return new EmulatedCompletion(tokenizer.encode(text.substring(0, end + stop.length())),
                text.substring(0, end), "stop_sequence");
    }

    public int tokens() {
        return outputIds.length;
    }
}
