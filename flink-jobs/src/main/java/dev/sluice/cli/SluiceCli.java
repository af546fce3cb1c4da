package dev.sluice.cli;

import dev.sluice.bench.BenchCommand;
import dev.sluice.terminal.TailCommand;
import dev.sluice.terminal.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command line. */
@Command(
        name = "sluice",
        mixinStandardHelpOptions = true,
        version = "sluice 0.1.0",
        description = "Streaming batch inference for open-weight LLMs: Kafka in, Flink, gRPC inference servers, Kafka out.",
        subcommands = {DemoCommand.class, RunCommand.class, RouteCommand.class, CatalogCommand.class, BulkCommand.class,
            EmulatorCommand.class, BenchCommand.class, TopicsCommand.class,
            TailCommand.class, TopCommand.class, CommandLine.HelpCommand.class})
public final class SluiceCli {

    public static void main(String[] args) {
        int code = new CommandLine(new SluiceCli()).execute(args);
        System.exit(code);
    }
}
