package dev.sluice.bulk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads the items of a bulk run from a directory of text files, a JSON Lines file ({@code .jsonl},
 * {@code .ndjson}) or a CSV file, checking all of it before anything is submitted.
 */
public final class BulkInput {

    private BulkInput() {}

    /**
     * The items in input order.
     *
     * @param textColumn the CSV column holding the text; null for {@code text}
     * @param idColumn the CSV column holding the items' ids; null for {@code custom_id} if the header has it, else
     *     {@code row-<n>}
     * @throws InvalidInputException listing every problem found
     */
    public static List<BulkItem> read(Path input, String textColumn, String idColumn) {
        if (!Files.exists(input)) {
            throw new InvalidInputException(Problem.of(Problem.UNREADABLE_INPUT, input + " does not exist"));
        }
        // A root directory has no file name.
        String name = input.getFileName() == null ? input.toString() : input.getFileName().toString();
        String lowerName = name.toLowerCase(Locale.ROOT);
        List<BulkItem> items;
        if (Files.isDirectory(input)) {
            items = DirectoryItems.read(input);
        } else if (lowerName.endsWith(".jsonl") || lowerName.endsWith(".ndjson")) {
            items = JsonlItems.read(TextFiles.read(input));
        } else if (lowerName.endsWith(".csv")) {
            items = CsvItems.read(TextFiles.read(input), textColumn, idColumn);
        } else {
            throw new InvalidInputException(Problem.of(Problem.UNSUPPORTED_INPUT, name + ": unsupported input; give a "
                    + ".jsonl, .ndjson or .csv file, or a directory of text files"));
        }
        if (items.isEmpty()) {
            throw new InvalidInputException(Problem.of(Problem.EMPTY_FILE, name + " holds no items"));
        }
        return items;
    }
}
