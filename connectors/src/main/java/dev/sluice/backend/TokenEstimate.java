package dev.sluice.backend;

import java.nio.charset.StandardCharsets;

/**
 * A tokenizer-free token count for when the server reports none: about four UTF-8 bytes per token, which is
 * close for English BPE vocabularies and errs high for CJK text (three bytes a character, often one token).
 */
public final class TokenEstimate {

    private TokenEstimate() {}

    public static int of(String text) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        return (bytes + 3) / 4;
    }

    /** The most UTF-8 bytes a text may have for {@link #of} to stay within {@code tokens}: what a splitter fills. */
    public static long maxBytes(int tokens) {
        return 4L * tokens;
    }
}
