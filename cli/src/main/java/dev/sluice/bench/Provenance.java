package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import dev.sluice.serde.JsonAvro;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where a benchmark's figures come from, written into its JSON: the commit (and whether the tree had uncommitted
 * changes), the command as typed, the machine, and how busy the machine was: the load average before and after,
 * and the CPU time the benchmark's own process used, as a share of the machine's, so a reader can tell whether the
 * modelled GPU or this machine's CPUs set the pace.
 */
final class Provenance {

    /** Above this share of the machine's CPU time the run says the CPUs, not the modelled GPU, were the bottleneck. */
    static final double CPU_BOUND_SHARE = 0.85;

    private final List<String> arguments;
    private final Path home;
    /** Read as the run starts: a commit made while it runs is not what ran. */
    private final String commit;
    private final long startedNanos = System.nanoTime();
    private final long startedCpuNanos = processCpuNanos();
    private final double loadBefore = loadAverage();

    /**
     * Starts measuring: {@code arguments} as given to {@code sluice} (from {@code bench} on) or to the bench command
     * itself, {@code home} the checkout.
     */
    Provenance(List<String> arguments, Path home) {
        this.arguments = arguments.isEmpty() || !arguments.get(0).equals("bench")
                ? Stream.concat(Stream.of("bench"), arguments.stream()).toList() : List.copyOf(arguments);
        this.home = home;
        this.commit = commit();
    }

    /** The provenance of a run that has just ended. */
    ObjectNode finish() {
        double wallSeconds = (System.nanoTime() - startedNanos) / 1e9;
        double cpuSeconds = (processCpuNanos() - startedCpuNanos) / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        double share = wallSeconds <= 0 ? 0 : cpuSeconds / (wallSeconds * cores);
        ObjectNode provenance = JsonAvro.mapper().createObjectNode()
                .put("commit", commit)
                .put("command", "./sluice " + String.join(" ", arguments))
                .put("wall_seconds", wallSeconds)
                .put("process_cpu_seconds", cpuSeconds)
                .put("cpu_share", share)
                .put("cpu_bound", share >= CPU_BOUND_SHARE)
                .put("load_average_before", loadBefore)
                .put("load_average_after", loadAverage());
        provenance.putObject("machine")
                .put("cores", cores)
                .put("memory_mb", physicalMemoryBytes() / (1024 * 1024))
                .put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024))
                .put("cpu", cpuModel())
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"))
                .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return provenance;
    }

    /**
     * The checkout's commit, abbreviated, with {@code -dirty} when tracked files other than the docs and the README
     * differ from it (pages are rendered while benchmarks run, the README's table of targets among them; they do not
     * change what runs); else unknown.
     */
    private String commit() {
        Optional<String> head = git("rev-parse", "--short", "HEAD");
        if (head.isEmpty()) {
            return "unknown";
        }
        boolean dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs",
                ":(exclude)README.md")
                .map(out -> !out.isBlank()).orElse(true);
        return head.get() + (dirty ? "-dirty" : "");
    }

    private Optional<String> git(String... command) {
        try {
            Process process = new ProcessBuilder(concat(command)).directory(home.toFile()).redirectErrorStream(true)
                    .start();
            byte[] out = process.getInputStream().readNBytes(64 * 1024);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(new String(out, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static List<String> concat(String... command) {
        return Stream.concat(Stream.of("git"), Arrays.stream(command)).toList();
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static long physicalMemoryBytes() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                ? os.getTotalMemorySize() : 0;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The CPU's model name where the OS says it (Linux's {@code /proc/cpuinfo}); else the architecture. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the architecture will do.
        }
        return System.getProperty("os.arch");
    }
}
