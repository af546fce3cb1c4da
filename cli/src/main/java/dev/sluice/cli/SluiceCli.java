package dev.sluice.cli;

import dev.sluice.bench.BenchCommand;
import dev.sluice.launch.DebugOption;
import dev.sluice.launch.OneLineErrors;
import dev.sluice.launch.RunCommand;
import dev.sluice.terminal.TailCommand;
import dev.sluice.terminal.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code sluice} command line. */
@Command(
        name = "sluice",
        mixinStandardHelpOptions = true,
        version = "sluice 0.1.0",
        description = "Streaming batch inference for open-weight LLMs: Kafka in, Flink, gRPC inference servers, Kafka out.",
        subcommands = {DemoCommand.class, RunCommand.class, RouteCommand.class, CatalogCommand.class, BulkCommand.class,
            EmulatorCommand.class, BenchCommand.class, TopicsCommand.class, ServeCommand.class,
            TailCommand.class, TopCommand.class, CommandLine.HelpCommand.class})
public final class SluiceCli {

    @Mixin
    DebugOption debug;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@link #main} runs it: every error one line, unless {@code --debug}. */
    public static CommandLine commandLine() {
        SluiceCli cli = new SluiceCli();
        return OneLineErrors.commandLine(cli, () -> cli.debug.on());
    }
}
