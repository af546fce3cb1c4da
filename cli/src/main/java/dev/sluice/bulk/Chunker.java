package dev.sluice.bulk;

import dev.sluice.backend.TokenEstimate;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a text into parts that each fit a token budget, as {@link TokenEstimate} counts, so that every part passes
 * the router's context check. The parts join back to the text exactly: each keeps the whitespace after it.
 *
 * <p>Each part is filled as far as the budget goes, then cut at the best break inside it: a paragraph break (after
 * a blank line), else a line break, else a sentence end, else whitespace, else anywhere between code points. One
 * pass over each part's window per kind of break: linear in the text.
 */
public final class Chunker {

    private Chunker() {}

    public static List<String> split(String text, int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("a part needs at least 1 token, got " + maxTokens);
        }
        if (TokenEstimate.of(text) <= maxTokens) {
            return List.of(text);
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int limit = fill(text, start, maxTokens);
            int end = limit == text.length() ? limit : cut(text, start, limit);
            parts.add(text.substring(start, end));
            start = end;
        }
        return parts;
    }

    /**
     * The furthest end from {@code start} whose estimate stays within {@code maxTokens}; never splits a pair, and
     * always takes one code point, which no estimate counts as more than a token.
     */
    private static int fill(String text, int start, int maxTokens) {
        long tenths = 0;
        int end = start;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            tenths += TokenEstimate.tenths(codePoint);
            if (TokenEstimate.tokens(tenths) > maxTokens) {
                break;
            }
            end += Character.charCount(codePoint);
        }
        return end;
    }

    /** The last break of the best kind in {@code (start, limit]} after some non-whitespace, else {@code limit}. */
    private static int cut(String text, int start, int limit) {
        int content = start;
        while (content < limit && Character.isWhitespace(text.charAt(content))) {
            content++;
        }
        // A break at or before the first non-whitespace would make a part of whitespace only.
        int floor = content + 1;
        for (Break kind : Break.values()) {
            int end = kind.lastIn(text, floor, limit);
            if (end >= floor) {
                return end;
            }
        }
        return limit;
    }

    /** Kinds of break, best first; a break is the index where the next part begins. */
    private enum Break {
        PARAGRAPH {
            @Override
            boolean at(String text, int end, int limit) {
                if (text.charAt(end - 1) != '\n') {
                    return false;
                }
                int i = end - 2;
                while (i >= 0 && text.charAt(i) != '\n' && Character.isWhitespace(text.charAt(i))) {
                    i--;
                }
                return i >= 0 && text.charAt(i) == '\n';
            }
        },
        LINE {
            @Override
            boolean at(String text, int end, int limit) {
                return text.charAt(end - 1) == '\n';
            }
        },
        SENTENCE {
            @Override
            boolean at(String text, int end, int limit) {
                char last = text.charAt(end - 1);
                if (isCjkSentenceEnd(last)) {
                    return true;
                }
                // Only the end of a run of whitespace, so each run is walked back over once.
                if (!Character.isWhitespace(last) || (end < limit && Character.isWhitespace(text.charAt(end)))) {
                    return false;
                }
                int i = end - 2;
                while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
                    i--;
                }
                return i >= 0 && (isSentenceEnd(text.charAt(i)) || isCjkSentenceEnd(text.charAt(i)));
            }
        },
        WHITESPACE {
            @Override
            boolean at(String text, int end, int limit) {
                return Character.isWhitespace(text.charAt(end - 1));
            }
        };

        abstract boolean at(String text, int end, int limit);

        /** The last break of this kind in {@code [floor, limit]}, or {@code floor - 1} when there is none. */
        int lastIn(String text, int floor, int limit) {
            int end = limit;
            while (end >= floor && !at(text, end, limit)) {
                end--;
            }
            return end;
        }

        private static boolean isSentenceEnd(char c) {
            return c == '.' || c == '!' || c == '?';
        }

        private static boolean isCjkSentenceEnd(char c) {
            return c == '。' || c == '！' || c == '？';
        }
    }
}
