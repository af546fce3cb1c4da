package dev.sluice.backend.tokenizer;

import java.util.Arrays;

/**
 * Turns streamed token ids into text as they arrive without ever emitting half a character: a token may end
 * inside a multi-byte UTF-8 sequence (byte-level vocabularies split Japanese characters into several tokens),
 * and decoding it alone yields U+FFFD. Text is released only up to the last complete character.
 *
 * <p>Each append decodes a short window, not every token so far, so a long answer costs linear time: the tokens
 * since the last release, after the few before them (decoding from a token boundary inside the text keeps the
 * spacing a tokenizer gives a word only after another one). This is the prefix/read offset scheme of Hugging Face's
 * text-generation-inference and vLLM.
 */
public final class IncrementalDetokenizer {

    private static final char REPLACEMENT = '\uFFFD';

    private final ModelTokenizer tokenizer;
    private int[] ids = new int[16];
    private int count;
    /** Where the window starts: tokens before it are released and no longer decoded. */
    private int prefixOffset;
    /** Tokens up to here are released. */
    private int readOffset;

    IncrementalDetokenizer(ModelTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds tokens; returns the text they complete, possibly empty. */
    public String append(int[] newIds) {
        add(newIds);
        String released = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String window = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, count));
        if (window.length() <= released.length() || window.charAt(window.length() - 1) == REPLACEMENT) {
            return "";
        }
        prefixOffset = readOffset;
        readOffset = count;
        return window.substring(released.length());
    }

    /**
     * Adds tokens without decoding them, for a reader that wants the text only at the end ({@link #text}): decoding
     * costs a call into the tokenizer, which serves one thread at a time, for every streamed chunk. The next
     * {@link #append} releases their text with its own.
     */
    public void add(int[] newIds) {
        if (count + newIds.length > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(ids.length * 2, count + newIds.length));
        }
        System.arraycopy(newIds, 0, ids, count, newIds.length);
        count += newIds.length;
    }

    /** Everything decoded so far, including a trailing incomplete character if the stream ended on one. */
    public String text() {
        return tokenizer.decode(Arrays.copyOf(ids, count));
    }

    public int tokens() {
        return count;
    }
}
