package dev.sluice.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code java} process this test started, on the JDK that runs the test, its output in {@code <dir>/<name>.log}
 * and its temporary files under {@code <dir>/tmp}, so a killed one leaves nothing behind elsewhere. It is never
 * asked to stop: {@link #kill()} is {@code kill -9}.
 */
final class JavaProcess implements AutoCloseable {

    private static final Duration EXIT_AFTER_KILL = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final Path log;
    private volatile boolean killed;

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java arguments…} in {@code dir} with {@code environment} added to this JVM's. */
    static JavaProcess start(String name, Path dir, Map<String, String> environment, List<String> arguments)
            throws IOException {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.io.tmpdir=" + tmp);
        command.addAll(arguments);
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return new JavaProcess(name, builder.start(), log);
    }

    /** Waits for the process to end by itself and returns its exit code; kills it if it takes longer than that. */
    int awaitExit(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new IllegalStateException(name + " did not finish within " + timeout + ": " + output());
        }
        return process.exitValue();
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs, nothing is flushed or closed. */
    void kill() throws InterruptedException {
        // destroyForcibly() sends SIGKILL on Linux, to this process only, by the handle that started it.
        killed = true;
        process.destroyForcibly();
        if (!process.waitFor(EXIT_AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") outlived SIGKILL");
        }
    }

    /** Whether it has ended, and not by {@link #kill()}. */
    boolean exitedByItself() {
        return !process.isAlive() && !killed;
    }

    String name() {
        return name;
    }

    /** Everything it printed so far. */
    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
