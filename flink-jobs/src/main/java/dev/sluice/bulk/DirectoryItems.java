package dev.sluice.bulk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Reads a directory: each regular file directly in it is one item, named by the file, in file-name order. */
final class DirectoryItems {

    private DirectoryItems() {}

    static List<BulkItem> read(Path directory) {
        Problems problems = new Problems();
        List<BulkItem> items = new ArrayList<>();
        for (Path file : files(directory)) {
            String name = file.getFileName().toString();
            try {
                String text = TextFiles.read(file);
                if (text.isBlank()) {
                    problems.add(Problem.of(Problem.INVALID_TEXT, name + ": the file is empty"));
                } else {
                    items.add(BulkItem.ofText(items.size(), name, text, null));
                }
            } catch (InvalidInputException e) {
                problems.addAll(e.problems());
            }
        }
        problems.throwIfAny();
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
