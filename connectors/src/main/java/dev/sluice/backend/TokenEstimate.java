package dev.sluice.backend;

/**
 * A tokenizer-free token count, meant to err high, for routing (does the prompt fit the model's context?) and for
 * usage when the server reports none. It counts by script, which UTF-8's length per character follows closely:
 * <ul>
 *   <li>ASCII (English, code): 0.3 tokens a character; English BPE vocabularies average about four characters a
 *       token, so this over-counts by about a fifth.</li>
 *   <li>two-byte alphabets (accented Latin, Greek, Cyrillic, Arabic, Hebrew): 0.5 a character.</li>
 *   <li>three- and four-byte characters (kanji, kana, Hangul, Thai, Indic scripts, emoji): one a character. Japanese
 *       runs at about one token a character in Llama 3's and Qwen2.5's vocabularies; the earlier estimate of four
 *       bytes a token gave 0.75 and let long Japanese documents through to models that then failed them.</li>
 * </ul>
 */
public final class TokenEstimate {

    private static final int ASCII_TENTHS = 3;
    private static final int TWO_BYTE_TENTHS = 5;
    private static final int WIDE_TENTHS = 10;

    private TokenEstimate() {}

    /** The text's tokens: its characters' {@link #tenths}, summed, in whole tokens rounded up. */
    public static int of(String text) {
        long tenths = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            tenths += tenths(codePoint);
            i += Character.charCount(codePoint);
        }
        return tokens(tenths);
    }

    /** Tenths of a token one character counts for: at most ten, so any one character fits a one-token budget. */
    public static int tenths(int codePoint) {
        return codePoint < 0x80 ? ASCII_TENTHS : codePoint < 0x800 ? TWO_BYTE_TENTHS : WIDE_TENTHS;
    }

    /** Whole tokens for {@code tenths}, rounded up. */
    public static int tokens(long tenths) {
        return (int) Math.min(Integer.MAX_VALUE, (tenths + 9) / 10);
    }
}
