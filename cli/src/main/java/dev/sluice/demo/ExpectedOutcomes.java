package dev.sluice.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The outcomes a samples folder declares for its samples, in {@value #FILE_NAME}: one entry a line, a selector and
 * an outcome ({@code COMPLETION} or a reject reason), {@code #} to the end of the line a comment. A selector is a
 * request id; {@code FILE:LINE}, a line of a sample file (the only name of a record in which no request id can be
 * read); or {@code FILE}, every line of it. The most specific entry applies: request id, then line, then file.
 * Declared by whoever writes the samples, so the demo's verdict never rests on what the pipeline itself decides.
 */
final class ExpectedOutcomes {

    static final String FILE_NAME = "expected-outcomes.txt";

    /** An entry's outcome and the line that declares it. */
    private record Entry(Outcome outcome, int line) {}

    private final String name;
    /** Entries by selector, in file order. */
    private final Map<String, Entry> entries;
    /** The selectors some sample was looked up by, so that an entry naming no sample can be found. */
    private final Set<String> used = new HashSet<>();

    private ExpectedOutcomes(String name, Map<String, Entry> entries) {
        this.name = name;
        this.entries = entries;
    }

    /** The folder's declared outcomes, or empty if it has no {@value #FILE_NAME}. */
    static Optional<ExpectedOutcomes> read(Path samples) {
        Path file = samples.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Parses the lines of a file called {@code name}, which messages quote. */
    static ExpectedOutcomes parse(String name, List<String> lines) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String content = lines.get(i).replaceFirst("(^|\\s)#.*", "").strip();
            if (content.isEmpty()) {
                continue;
            }
            String at = name + ":" + (i + 1);
            String[] fields = content.split("\\s+");
            if (fields.length != 2) {
                throw new IllegalArgumentException(at + ": expected a selector and an outcome, got '" + content + "'");
            }
            Outcome outcome;
            try {
                outcome = Outcome.parse(fields[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
            }
            Entry earlier = entries.putIfAbsent(fields[0], new Entry(outcome, i + 1));
            if (earlier != null) {
                throw new IllegalArgumentException(at + ": " + fields[0] + " is declared already, on line "
                        + earlier.line());
            }
        }
        return new ExpectedOutcomes(name, entries);
    }

    /**
     * The outcome declared for the request {@code requestId} (null for a record without one) at {@code origin}
     * ({@code FILE:LINE}); empty if no entry covers it.
     */
    Optional<Outcome> outcomeOf(String requestId, String origin) {
        String file = origin.substring(0, origin.lastIndexOf(':'));
        List<String> selectors = new ArrayList<>();
        if (requestId != null) {
            selectors.add(requestId);
        }
        selectors.add(origin);
        selectors.add(file);
        for (String selector : selectors) {
            Entry entry = entries.get(selector);
            if (entry != null) {
                used.add(selector);
                return Optional.of(entry.outcome());
            }
        }
        return Optional.empty();
    }

    /** One line per entry that no lookup has used: a sample renamed or removed, or a typing error. */
    List<String> unused() {
        return entries.entrySet().stream().filter(entry -> !used.contains(entry.getKey()))
                .map(entry -> name + ":" + entry.getValue().line() + " names " + entry.getKey()
                        + ", which no sample holds")
                .toList();
    }

    /** The file's name, as messages quote it. */
    String name() {
        return name;
    }
}
