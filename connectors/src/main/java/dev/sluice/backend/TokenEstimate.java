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
}
