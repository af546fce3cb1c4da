package dev.sluice.bulk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads CSV with a header row: the text from one column, the id from another, else from {@code custom_id}, else
 * {@code row-<n>} (data rows counted from 1). Quoted fields may hold commas, quotes and line breaks.
 */
final class CsvItems {

    private static final String DEFAULT_TEXT_COLUMN = "text";
    private static final String DEFAULT_ID_COLUMN = "custom_id";
    private static final ObjectReader ROWS = new CsvMapper().readerFor(String[].class)
            .with(CsvParser.Feature.WRAP_AS_ARRAY)
            .with(CsvParser.Feature.SKIP_EMPTY_LINES);

    private CsvItems() {}

    /** Calls {@code each} with the items of the rows without problems; returns how many. */
    static int read(String content, String textColumn, String idColumn, BulkInput.Rules rules, Problems problems,
            Consumer<BulkItem> each) {
        int items = 0;
        try (MappingIterator<String[]> rows = ROWS.readValues(content)) {
            if (!rows.hasNextValue()) {
                return 0;
            }
            List<String> header = Arrays.stream(rows.nextValue()).map(String::strip).toList();
            int before = problems.count();
            int text = column(header, textColumn == null ? DEFAULT_TEXT_COLUMN : textColumn, problems);
            int id = idColumn != null ? column(header, idColumn, problems) : header.indexOf(DEFAULT_ID_COLUMN);
            if (problems.count() > before) {
                // Without its columns no row can be read.
                return 0;
            }
            for (int row = 1; rows.hasNextValue(); row++) {
                if (row > rules.maxItems()) {
                    problems.add(rules.tooMany(null, "rows"));
                    break;
                }
                BulkItem item = item(rows.nextValue(), row, header, text, id, items, problems);
                if (item != null) {
                    each.accept(item);
                    items++;
                }
            }
        } catch (JsonProcessingException e) {
            problems.add(e.getLocation() == null ? Problem.of(Problem.INVALID_CSV, e.getOriginalMessage())
                    : Problem.at(e.getLocation().getLineNr(), Problem.INVALID_CSV, e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return items;
    }

    private static int column(List<String> header, String name, Problems problems) {
        int index = header.indexOf(name);
        if (index < 0) {
            problems.add(Problem.of(Problem.INVALID_COLUMN, "column '" + name + "' is not in the header, which has: "
                    + String.join(", ", header)));
        } else if (header.lastIndexOf(name) != index) {
            problems.add(Problem.of(Problem.INVALID_COLUMN, "column '" + name + "' appears more than once in the "
                    + "header"));
        }
        return index;
    }

    /** The row's item, or null when it has problems, which are added. */
    private static BulkItem item(String[] cells, int row, List<String> header, int text, int id, int index,
            Problems problems) {
        String where = "row " + row;
        if (cells.length != header.size()) {
            problems.add(Problem.of(Problem.INVALID_CSV, where + ": " + cells.length + " fields where the header has "
                    + header.size() + " (a field with a comma needs quotes)"));
            return null;
        }
        int before = problems.count();
        String customId = id < 0 ? "row-" + row : cells[id];
        if (customId.isBlank()) {
            problems.add(Problem.of(Problem.MISSING_CUSTOM_ID, where + ": the id in column '" + header.get(id)
                    + "' is empty"));
        } else {
            Integer first = problems.earlierUse(customId, row);
            if (first != null) {
                problems.add(Problem.of(Problem.DUPLICATE_CUSTOM_ID, where + ": id '" + customId + "' is also on row "
                        + first));
            }
        }
        if (cells[text].isBlank()) {
            problems.add(Problem.of(Problem.INVALID_TEXT, where + ": the text in column '" + header.get(text)
                    + "' is empty"));
        }
        return problems.count() > before ? null : BulkItem.ofText(index, customId, cells[text], null);
    }
}
