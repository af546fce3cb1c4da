package dev.sluice.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A complete checkpoint Flink left in a checkpoint directory, {@code <dir>/<job id>/chk-<n>}: complete once its
 * {@code _metadata} is written, which Flink does last.
 *
 * @param path its {@code chk-<n>} directory, what a restore is given
 * @param jobId the job that took it
 * @param id {@code n}
 */
record RetainedCheckpoint(Path path, String jobId, long id) {

    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    /**
     * The complete checkpoint with the highest number under {@code dir}, of whichever job: a job restored from a
     * checkpoint numbers on from it, so the highest is the latest.
     */
    static Optional<RetainedCheckpoint> latest(Path dir) throws IOException {
        try (Stream<Path> candidates = Files.find(dir, 2, (path, attributes) -> attributes.isDirectory()
                && CHECKPOINT.matcher(path.getFileName().toString()).matches()
                && Files.isRegularFile(path.resolve("_metadata")))) {
            return candidates.map(RetainedCheckpoint::of).max(Comparator.comparingLong(RetainedCheckpoint::id));
        }
    }

    private static RetainedCheckpoint of(Path path) {
        Matcher number = CHECKPOINT.matcher(path.getFileName().toString());
        if (!number.matches()) {
            throw new IllegalArgumentException("not a checkpoint directory: " + path);
        }
        return new RetainedCheckpoint(path, path.getParent().getFileName().toString(), Long.parseLong(number.group(1)));
    }
}
