package dev.sluice.backend.tokenizer;

import java.util.Arrays;

/**
 * Turns streamed token ids into text as they arrive without ever emitting half a character: a token may end
 * inside a multi-byte UTF-8 sequence (byte-level vocabularies split Japanese characters into several tokens),
 * and decoding it alone yields U+FFFD. Text is released only up to the last complete character.
 */
public final class IncrementalDetokenizer {

    private static final char REPLACEMENT = '\uFFFD';

    private final ModelTokenizer tokenizer;
    private int[] ids = new int[0];
    private int emitted;

    IncrementalDetokenizer(ModelTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds tokens; returns the text they complete, possibly empty. */
    public String append(int[] newIds) {
        int old = ids.length;
        ids = Arrays.copyOf(ids, old + newIds.length);
        System.arraycopy(newIds, 0, ids, old, newIds.length);
        String text = tokenizer.decode(ids);
        int safe = text.length();
        while (safe > emitted && text.charAt(safe - 1) == REPLACEMENT) {
            safe--;
        }
        if (safe <= emitted) {
            return "";
        }
        String released = text.substring(emitted, safe);
        emitted = safe;
        return released;
    }

    /** Everything decoded so far, including a trailing incomplete character if the stream ended on one. */
    public String text() {
        return tokenizer.decode(ids);
    }

    public int tokens() {
        return ids.length;
    }
}
