package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.DemoRunner;
import dev.sluice.demo.DemoSamples;
import java.io.UncheckedIOException;
import dev.sluice.routing.Catalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice demo}: everything embedded, the sample prompts through, a summary out. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline in this JVM (Kafka broker, emulated Triton, Flink) on the sample "
                + "prompts and print a per-model summary. Exits 0 when each sample request, and each sample record "
                + "without a request id, ends as exactly one outcome: the one the samples folder's "
                + "expected-outcomes.txt declares, or any one where it has no such file.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--samples", description = "folder with prompts.jsonl, malformed.jsonl and optionally "
            + "expected-outcomes.txt (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/samples")
    Path samples;

    @Option(names = "--timeout", description = "longest wait for results, ISO-8601 (default: ${DEFAULT-VALUE})",
            defaultValue = "PT90S")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = SluiceConfig.load(config);
        Catalog catalog = Catalog.load(settings.catalogPath(config));
        DemoSamples loaded;
        try {
            loaded = DemoSamples.load(shown(samples));
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        return new DemoRunner(settings, catalog, loaded, timeout, System.out).run();
    }

    /**
     * {@code folder} relative to the working directory where it lies below it: the default is under
     * {@code SLUICE_HOME}, an absolute path that would make every line naming a sample file long.
     */
    private static Path shown(Path folder) {
        Path here = Path.of("").toAbsolutePath();
        Path absolute = folder.toAbsolutePath().normalize();
        return absolute.startsWith(here) ? here.relativize(absolute) : folder;
    }
}
