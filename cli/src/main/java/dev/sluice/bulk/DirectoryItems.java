package dev.sluice.bulk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads a directory: each regular file directly in it is one item, named by the file, in file-name order; one file
 * is held at a time.
 */
final class DirectoryItems {

    private DirectoryItems() {}

    /** Calls {@code each} with the items of the files without problems; returns how many. */
    static int read(Path directory, BulkInput.Rules rules, Problems problems, Consumer<BulkItem> each) {
        List<Path> files = files(directory);
        if (files.size() > rules.maxItems()) {
            problems.add(rules.tooMany(null, "files"));
            return 0;
        }
        int items = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            try {
                String text = TextFiles.read(file);
                if (text.isBlank()) {
                    problems.add(Problem.of(Problem.INVALID_TEXT, name + ": the file is empty"));
                } else {
                    each.accept(BulkItem.ofText(items++, name, text, null));
                }
            } catch (InvalidInputException e) {
                problems.addAll(e.problems());
            }
        }
        return items;
    }

    /** Hidden files are an editor's or a file manager's (.DS_Store, .swp), not the user's items. */
    private static List<Path> files(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(file -> file.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }
}
