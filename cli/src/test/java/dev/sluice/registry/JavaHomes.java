package dev.sluice.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Finds a Java runtime of at least some version for a child process, without a machine's paths written in: one
 * named by a system property or environment variable, else the running JVM if it is new enough, else the newest
 * of the runtimes installed beside it (the other directories of {@code java.home}'s parent, as {@code /usr/lib/jvm}
 * on Debian or {@code ~/.sdkman/candidates/java} hold them), each known by the {@code JAVA_VERSION} of its
 * {@code release} file. macOS nests a JDK's home deeper ({@code jdk-25.jdk/Contents/Home}): name one there.
 */
final class JavaHomes {

    private JavaHomes() {}

    /**
     * The home of a Java runtime of version {@code minimum} or later.
     *
     * @param property a system property that may name one, checked first
     * @param environment an environment variable that may name one, checked next
     * @throws IllegalStateException when the one named is older or not a Java runtime, or when none is named and
     *     none is found
     */
    static Path find(int minimum, String property, String environment) {
        String named = Optional.ofNullable(System.getProperty(property)).orElse(System.getenv(environment));
        if (named != null) {
            Path home = Path.of(named);
            int version = version(home).orElseThrow(() -> new IllegalStateException(
                    home + " (from " + property + " or " + environment + ") is not a Java runtime: no release file"));
            if (version < minimum) {
                throw new IllegalStateException(home + " (from " + property + " or " + environment + ") is Java "
                        + version + "; Java " + minimum + " or later is needed");
            }
            return home;
        }
        Path running = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() >= minimum) {
            return running;
        }
        return beside(running, minimum).orElseThrow(() -> new IllegalStateException("Java " + minimum
                + " or later is needed: this JVM is " + Runtime.version().feature() + " and none is installed"
                + " beside it in " + running.getParent() + "; name one with -D" + property + "=<java home> or "
                + environment));
    }

    /** The newest runtime of {@code minimum} or later among {@code running}'s siblings. */
    static Optional<Path> beside(Path running, int minimum) {
        try (Stream<Path> siblings = Files.list(running.getParent())) {
            return siblings.filter(home -> version(home).orElse(0) >= minimum)
                    .max(Comparator.comparingInt((Path home) -> version(home).orElse(0))
                            .thenComparing(Comparator.naturalOrder()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The feature version in {@code home/release}, e.g. 25 for {@code JAVA_VERSION="25.0.3"} and 8 for
     * {@code "1.8.0_402"}; empty without a readable release file.
     */
    static OptionalInt version(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return OptionalInt.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(release)) {
            properties.load(in);
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        String[] parts = properties.getProperty("JAVA_VERSION", "").replace("\"", "").split("[.+_-]");
        try {
            int first = Integer.parseInt(parts[0]);
            return OptionalInt.of(first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
