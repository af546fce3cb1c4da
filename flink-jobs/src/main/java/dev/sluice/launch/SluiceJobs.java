package dev.sluice.launch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The entry point of the job jar a Flink cluster runs, {@code flink-jobs/target/sluice-job.jar}:
 * {@code flink run sluice-job.jar run --config F} submits Sluice's jobs to that cluster. The same {@link RunCommand}
 * is {@code sluice run} in the full command line ({@code dev.sluice.cli.SluiceCli}, in the {@code cli} module), whose
 * other commands, the demo, the emulator and the bulk client among them, a cluster never needs.
 */
@Command(
        name = "sluice",
        mixinStandardHelpOptions = true,
        version = "sluice 0.1.0",
        description = "Sluice's Flink jobs: the inference pipeline and the metrics-summary job.",
        subcommands = {RunCommand.class, CommandLine.HelpCommand.class})
public final class SluiceJobs {

    @Mixin
    DebugOption debug;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@link #main} runs it: every error one line, unless {@code --debug}. */
    public static CommandLine commandLine() {
        SluiceJobs jobs = new SluiceJobs();
        return OneLineErrors.commandLine(jobs, () -> jobs.debug.on());
    }
}
