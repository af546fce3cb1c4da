package dev.sluice.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code java} process this test started, on the JDK that runs the test unless told another, its output in
 * {@code <dir>/<name>.log}, its collections in {@code <dir>/<name>-gc.log} and its temporary files under
 * {@code <dir>/tmp}, so a killed one leaves nothing behind elsewhere. It is never asked to stop: {@link #kill()} is
 * {@code kill -9}. Public for the registry tests, which run Apicurio Registry on a newer JDK.
 */
public final class JavaProcess implements AutoCloseable {

    private static final Duration EXIT_AFTER_KILL = Duration.ofSeconds(30);
    /** The heap before, after and in all of a collection, as {@code -Xlog:gc} writes it: {@code 24M->3M(256M)}. */
    private static final Pattern HEAP_AFTER_GC = Pattern.compile("\\d+[KMG]->(\\d+)([KMG])\\(\\d+[KMG]\\)");

    private final String name;
    private final Process process;
    private final Path log;
    private final Path gcLog;
    private volatile boolean killed;

    private JavaProcess(String name, Process process, Path log, Path gcLog) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.gcLog = gcLog;
    }

    /** Starts {@code java arguments…} in {@code dir} with {@code environment} added to this JVM's. */
    static JavaProcess start(String name, Path dir, Map<String, String> environment, List<String> arguments)
            throws IOException {
        return start(Path.of(System.getProperty("java.home")), name, dir, environment, arguments);
    }

    /**
     * Starts {@code java arguments…} of the JDK or JRE at {@code javaHome}, otherwise as
     * {@link #start(String, Path, Map, List)}.
     */
    public static JavaProcess start(Path javaHome, String name, Path dir, Map<String, String> environment,
            List<String> arguments) throws IOException {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.add("-Djava.io.tmpdir=" + tmp);
        Path gcLog = dir.resolve(name + "-gc.log");
        command.add("-Xlog:gc:file=" + gcLog);
        command.addAll(arguments);
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return new JavaProcess(name, builder.start(), log, gcLog);
    }

    /** Waits for the process to end by itself and returns its exit code; kills it if it takes longer than that. */
    int awaitExit(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new IllegalStateException(name + " did not finish within " + timeout + ": " + output());
        }
        return process.exitValue();
    }

    /** SIGKILL, as {@code kill -9}, to it and any processes it started: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        // destroyForcibly() sends SIGKILL on Linux, by the handle that started it. Its children first, while they
        // can still be found as its descendants.
        killed = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(EXIT_AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") outlived SIGKILL");
        }
    }

    /** Whether it has ended, and not by {@link #kill()}. */
    public boolean exitedByItself() {
        return !process.isAlive() && !killed;
    }

    String name() {
        return name;
    }

    /**
     * The most heap in use after any of its collections so far, in megabytes: after a young collection it still
     * holds old garbage, so this is an upper bound on what it kept.
     */
    double peakHeapAfterGcMb() throws IOException {
        if (!Files.exists(gcLog)) {
            return 0;
        }
        double peak = 0;
        Matcher heap = HEAP_AFTER_GC.matcher(Files.readString(gcLog));
        while (heap.find()) {
            int shift = switch (heap.group(2)) {
                case "K" -> 10;
                case "M" -> 20;
                default -> 30;
            };
            peak = Math.max(peak, Long.parseLong(heap.group(1)) * (1L << shift) / 1e6);
        }
        return peak;
    }

    /** Everything it printed so far. */
    public String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
