package dev.sluice.bulk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads JSON Lines a line at a time, each line an item ({@link JsonlLine}); blank lines are skipped. What is kept
 * from one line to the next is the ids seen, to find one used twice.
 */
final class JsonlItems {

    /**
     * The longest line read: far above what one request may hold (a long document in one line is split into parts
     * later), and far below what would take a submitter's memory.
     */
    static final int MAX_LINE_BYTES = 8 << 20;

    private JsonlItems() {}

    /** Calls {@code each} with the items of the lines without problems; returns how many. */
    static int read(Path file, BulkInput.Rules rules, Problems problems, Consumer<BulkItem> each) {
        int items = 0;
        int lineItems = 0;
        try (InputStream in = Files.newInputStream(file)) {
            Utf8Lines lines = new Utf8Lines(in, MAX_LINE_BYTES);
            for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
                if (line.isUtf8() && line.text().isBlank()) {
                    continue;
                }
                if (++lineItems > rules.maxItems()) {
                    problems.add(rules.tooMany(line.number(), "lines"));
                    break;
                }
                if (line.tooLong()) {
                    problems.at(line.number(), Problem.LINE_TOO_LONG, "longer than " + MAX_LINE_BYTES
                            + " bytes; split the document into several items");
                } else if (!line.isUtf8()) {
                    problems.at(line.number(), Problem.INVALID_UTF8, "not valid UTF-8 (byte " + line.badByte()
                            + " of the file)");
                } else {
                    BulkItem item = JsonlLine.item(line.text(), items, line.number(), rules.endpoint(), problems);
                    if (item != null) {
                        each.accept(item);
                        items++;
                    }
                }
            }
        } catch (NoSuchFileException e) {
            problems.add(Problem.of(Problem.UNREADABLE_INPUT, file + " does not exist"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return items;
    }
}
