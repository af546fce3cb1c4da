package dev.sluice.bulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The items of a bulk run, from a directory of text files, a JSON Lines file ({@code .jsonl}, {@code .ndjson}) or
 * a CSV file, read afresh each time they are visited: a JSON Lines file a line at a time, so that an input of any
 * size passes through without being held; a CSV file whole (quoted fields span lines); a directory a file at a time.
 */
public final class BulkInput {

    /** The OpenAI endpoint of chat requests: a body with messages, a conversation item. */
    public static final String CHAT_COMPLETIONS = "/v1/chat/completions";
    /** The OpenAI endpoint of completion requests: a body with a prompt, a text item. */
    public static final String COMPLETIONS = "/v1/completions";
    /** The endpoints a JSON line's url may name. */
    public static final List<String> ENDPOINTS = List.of(CHAT_COMPLETIONS, COMPLETIONS);

    /**
     * What a submission accepts of its input, beyond what every input must be.
     *
     * @param endpoint the one of {@link #ENDPOINTS} every line must name in its url, as a batch of OpenAI's Batch API
     *     is for one endpoint; null accepts either, or none. Set, the input is read as JSON Lines whatever its name.
     * @param maxItems the most items: JSON lines that are not blank, CSV rows, files of a directory; reading stops at
     *     the first beyond them
     */
    public record Rules(String endpoint, int maxItems) {

        /** What any input may be. */
        public static final Rules ANY = new Rules(null, Integer.MAX_VALUE);

        public Rules {
            if (endpoint != null && !ENDPOINTS.contains(endpoint)) {
                throw new IllegalArgumentException("the endpoint must be one of " + ENDPOINTS + ", got " + endpoint);
            }
            if (maxItems < 1) {
                throw new IllegalArgumentException("the most items must be 1 or more, got " + maxItems);
            }
        }

        /** The problem of an input with more {@code entries} than {@link #maxItems}, found at {@code line}. */
        Problem tooMany(Integer line, String entries) {
            return new Problem(line, Problem.TOO_MANY_LINES, "more than " + maxItems + " " + entries
                    + ", the most this submission takes");
        }
    }

    /**
     * A format's reader: each item that has no problem to {@code each}, in input order, and every problem found;
     * returns how many items it passed on.
     */
    private interface ItemReader {
        int read(Problems problems, Consumer<BulkItem> each);
    }

    private final String name;
    private final ItemReader reader;

    private BulkInput(String name, ItemReader reader) {
        this.name = name;
        this.reader = reader;
    }

    /**
     * The input at {@code input}, in the format its name says; nothing is read yet.
     *
     * @param textColumn the CSV column holding the text; null for {@code text}
     * @param idColumn the CSV column holding the items' ids; null for {@code custom_id} if the header has it, else
     *     {@code row-<n>}
     * @throws InvalidInputException when it is not there or of no format read here
     */
    public static BulkInput open(Path input, String textColumn, String idColumn, Rules rules) {
        if (!Files.exists(input)) {
            throw new InvalidInputException(Problem.of(Problem.UNREADABLE_INPUT, input + " does not exist"));
        }
        // A root directory has no file name.
        String name = input.getFileName() == null ? input.toString() : input.getFileName().toString();
        String lowerName = name.toLowerCase(Locale.ROOT);
        if (Files.isDirectory(input)) {
            return new BulkInput(name, (problems, each) -> DirectoryItems.read(input, rules, problems, each));
        } else if (rules.endpoint() != null || lowerName.endsWith(".jsonl") || lowerName.endsWith(".ndjson")) {
            return new BulkInput(name, (problems, each) -> JsonlItems.read(input, rules, problems, each));
        } else if (lowerName.endsWith(".csv")) {
            return new BulkInput(name, (problems, each) -> CsvItems.read(TextFiles.read(input), textColumn, idColumn,
                    rules, problems, each));
        }
        throw new InvalidInputException(Problem.of(Problem.UNSUPPORTED_INPUT, name + ": unsupported input; give a "
                + ".jsonl, .ndjson or .csv file, or a directory of text files"));
    }

    /**
     * The items in input order, held together: for inputs known to be small.
     *
     * @throws InvalidInputException listing every problem found
     * @see #open
     */
    public static List<BulkItem> read(Path input, String textColumn, String idColumn) {
        List<BulkItem> items = new ArrayList<>();
        Problems problems = new Problems();
        open(input, textColumn, idColumn, Rules.ANY).forEach(problems, items::add);
        problems.throwIfAny();
        return items;
    }

    /**
     * Reads the input from its start, calling {@code each} with every item that has no problem, in input order;
     * every problem goes to {@code problems}, an input without items being one. Returns how many items there were.
     */
    int forEach(Problems problems, Consumer<BulkItem> each) {
        int items = reader.read(problems, each);
        if (items == 0 && problems.count() == 0) {
            problems.add(Problem.of(Problem.EMPTY_FILE, name + " holds no items"));
        }
        return items;
    }
}
