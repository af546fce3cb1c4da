package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.DemoRunner;
import dev.sluice.routing.Catalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice demo}: everything embedded, the sample prompts through, a summary out. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline in this JVM (Kafka broker, emulated Triton, Flink) on the sample "
                + "prompts and print a per-model summary. Exits 0 when every prompt has a completion or a reject.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--samples", description = "folder with prompts.jsonl and malformed.jsonl (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/samples")
    Path samples;

    @Option(names = "--timeout", description = "longest wait for results, ISO-8601 (default: ${DEFAULT-VALUE})",
            defaultValue = "PT90S")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = SluiceConfig.load(config);
        Catalog catalog = Catalog.load(settings.catalogPath(config));
        return new DemoRunner(settings, catalog, samples, timeout, System.out).run();
    }
}
