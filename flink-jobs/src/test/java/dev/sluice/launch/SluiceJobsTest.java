package dev.sluice.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for the error reporting of the job jar's entry point, {@link SluiceJobs}, and of {@code sluice} alike
 * ({@link OneLineErrors}): what an operator sees when a command fails.
 */
class SluiceJobsTest {

    @TempDir
    Path dir;

    @Test
    void aBadConfigurationFileIsOneLineOnStandardErrorWithoutAStackTrace() throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, "kafka:\n  bootstrap-servers: broker:9092\njob:\n  parallelism: -1\n");

        Run run = execute("run", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("sluice run: " + file + ": job: job.parallelism and job.max-in-flight "
                + "must be positive (near line 5)" + System.lineSeparator());
    }

    @Test
    void debugAddsTheStackTraceWhereverItIsGiven() throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, "kafka:\n  bootstrap-servers: broker:9092\n  tenancy: shared\n");

        Run plain = execute("run", "--config", file.toString());
        Run debug = execute("run", "--debug", "--config", file.toString());
        Run debugFirst = execute("--debug", "run", "--config", file.toString());

        assertThat(plain.stderr().lines()).singleElement().asString().startsWith("sluice run: " + file
                + ": kafka.tenancy: ").doesNotContain("\tat ");
        assertThat(debug.stderr().lines().findFirst()).contains(plain.stderr().strip());
        assertThat(debug.stderr()).contains("java.lang.IllegalArgumentException", "\tat dev.sluice.config.Yaml");
        assertThat(debugFirst.stderr()).as("--debug before the command").contains("\tat dev.sluice.config.Yaml");
        assertThat(debug.exitCode()).isEqualTo(plain.exitCode()).isEqualTo(1);
    }

    @Test
    void aMissingFileAndABadCommandLineAreOneLineToo() {
        Path missing = dir.resolve("nowhere.yaml");

        Run noFile = execute("run", "--config", missing.toString());
        Run noConfig = execute("run");

        assertThat(noFile.stderr()).isEqualTo("sluice run: " + missing + ": no such file"
                + System.lineSeparator());
        assertThat(noConfig.stderr()).isEqualTo("sluice run: Missing required option: '--config=<config>' "
                + "(see: sluice run --help)" + System.lineSeparator());
        assertThat(noConfig.exitCode()).isEqualTo(2);
    }

    @Test
    void theMessageJoinsTheCauseChainWithoutRepeatsAndStopsAtAConfigurationError() {
        Exception timeout = new IllegalStateException("cannot list the topics at kafka:9092",
                new ExecutionException(new TimeoutException("Timed out waiting for a node assignment.")));
        Exception wrapped = new IllegalStateException("java.lang.RuntimeException: boom",
                new RuntimeException("boom"));
        Exception configuration = new IllegalArgumentException("sluice.yaml: job: bad (near line 3)",
                new IllegalStateException("the parser's long\nform of it"));

        assertThat(OneLineErrors.message(timeout))
                .isEqualTo("cannot list the topics at kafka:9092: Timed out waiting for a node assignment.");
        assertThat(OneLineErrors.message(wrapped)).isEqualTo("java.lang.RuntimeException: boom");
        assertThat(OneLineErrors.message(configuration)).isEqualTo("sluice.yaml: job: bad (near line 3)");
        assertThat(OneLineErrors.message(new IllegalStateException("two\n  lines"))).isEqualTo("two lines");
    }

    /** What a command left: its exit code and everything written to standard error. */
    private record Run(int exitCode, String stderr) {}

    private static Run execute(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = SluiceJobs.commandLine().execute(args);
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }
}
