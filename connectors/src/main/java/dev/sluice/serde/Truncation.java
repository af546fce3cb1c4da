package dev.sluice.serde;

/**
 * Cuts text that is too long and says so in the text: a reader of a truncated reject, completion or id sees the
 * marker {@code … [truncated N chars]} and knows what it holds is a head, not the whole.
 */
public final class Truncation {

    private Truncation() {}

    /**
     * {@code text} when it has at most {@code maxChars} characters, else its first {@code maxChars} characters and
     * the marker; null stays null. The cut never splits a surrogate pair, which would leave half a character that
     * has no UTF-8 form.
     */
    public static String text(String text, int maxChars) {
        if (maxChars < 0) {
            throw new IllegalArgumentException("maxChars must be 0 or more: " + maxChars);
        }
        if (text == null || text.length() <= maxChars) {
            return text;
        }
        int cut = maxChars > 0 && Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return text.substring(0, cut) + marker(text.length() - cut);
    }

    /** What {@link #text} appends for {@code dropped} characters left out. */
    public static String marker(long dropped) {
        return "… [truncated " + dropped + " chars]";
    }
}
