package dev.sluice.backend;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One line of the Prometheus text exposition format (version 0.0.4, what Triton's metrics port and Prometheus's reporters serve):
 * {@code name{label="value",...} value [timestamp]}. The page is the server's, so a line that is not a well-formed
 * sample (a comment, a blank, anything else) reads as no sample rather than an error, and the work per line is
 * linear in its length: no regular expression that could backtrack.
 */
public final class PrometheusText {

    /** A sample: its metric name, its labels with their values unescaped, and its value ({@code NaN} included). */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final String line;
    private int at;

    private PrometheusText(String line) {
        this.line = line;
    }

    /** The sample {@code line} holds; empty for a comment, a blank line or one that is not well formed. */
    public static Optional<Sample> sample(String line) {
        return Optional.ofNullable(new PrometheusText(line).parse());
    }

    private Sample parse() {
        skipBlanks();
        String name = name(true);
        if (name == null) {
            return null;
        }
        Map<String, String> labels = new HashMap<>();
        if (peek() == '{' && !labels(labels)) {
            return null;
        }
        if (!skipBlanks()) {
            return null;
        }
        int start = at;
        while (at < line.length() && !isBlank(line.charAt(at))) {
            at++;
        }
        OptionalDouble value = value(line.substring(start, at));
        skipBlanks();
        // An optional timestamp, in integer milliseconds, and nothing after it.
        if (peek() == '-') {
            at++;
        }
        while (at < line.length() && line.charAt(at) >= '0' && line.charAt(at) <= '9') {
            at++;
        }
        skipBlanks();
        return value.isEmpty() || at != line.length() ? null
                : new Sample(name, Map.copyOf(labels), value.getAsDouble());
    }

    /** Reads {@code {name="value",...}} into {@code labels}; false where it is not well formed. */
    private boolean labels(Map<String, String> labels) {
        at++;
        while (true) {
            skipBlanks();
            if (peek() == '}') {
                at++;
                return true;
            }
            String label = name(false);
            skipBlanks();
            if (label == null || peek() != '=') {
                return false;
            }
            at++;
            skipBlanks();
            String value = quoted();
            if (value == null || labels.put(label, value) != null) {
                return false;
            }
            skipBlanks();
            if (peek() == ',') {
                at++;
            } else if (peek() != '}') {
                return false;
            }
        }
    }

    /** A quoted label value with {@code \\}, {@code \"} and {@code \n} unescaped; null if it never closes. */
    private String quoted() {
        if (peek() != '"') {
            return null;
        }
        StringBuilder value = new StringBuilder();
        for (at++; at < line.length(); at++) {
            char c = line.charAt(at);
            if (c == '"') {
                at++;
                return value.toString();
            }
            if (c == '\\') {
                if (++at == line.length()) {
                    return null;
                }
                char escaped = line.charAt(at);
                value.append(escaped == 'n' ? '\n' : escaped);
            } else {
                value.append(c);
            }
        }
        return null;
    }

    /** A metric name ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}) or, without colons, a label name; null if none is here. */
    private String name(boolean metric) {
        int start = at;
        while (at < line.length()) {
            char c = line.charAt(at);
            boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || metric && c == ':';
            if (!letter && !(at > start && c >= '0' && c <= '9')) {
                break;
            }
            at++;
        }
        return at == start ? null : line.substring(start, at);
    }

    /** A sample value: a decimal number, {@code NaN}, {@code +Inf} or {@code -Inf}; empty for anything else. */
    private static OptionalDouble value(String text) {
        switch (text) {
            case "NaN":
                return OptionalDouble.of(Double.NaN);
            case "+Inf":
                return OptionalDouble.of(Double.POSITIVE_INFINITY);
            case "-Inf":
                return OptionalDouble.of(Double.NEGATIVE_INFINITY);
            default:
                break;
        }
        // Only what a decimal is written with: Java's own spellings (Infinity, hexadecimal, a d suffix) are not
        // the format's.
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                return OptionalDouble.empty();
            }
        }
        try {
            return OptionalDouble.of(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    private char peek() {
        return at < line.length() ? line.charAt(at) : 0;
    }

    /** Skips spaces and tabs; whether there were any. */
    private boolean skipBlanks() {
        int start = at;
        while (at < line.length() && isBlank(line.charAt(at))) {
            at++;
        }
        return at > start;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
