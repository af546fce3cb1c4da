package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.launch.TopicAudit;
import dev.sluice.launch.TopicReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice topics check}: whether every topic Sluice uses is there as specified; changes nothing. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check that every topic Sluice uses exists with the partitions, replication factor, "
                + "cleanup.policy and retention.ms it needs. Prints one line per problem; changes nothing.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {TopicReport.EXIT_OK, TopicReport.EXIT_ERROR, TopicReport.EXIT_USAGE, TopicReport.EXIT_MISSING,
            TopicReport.EXIT_WRONG})
final class TopicsCheckCommand implements Callable<Integer> {

    @Mixin
    TopicsOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SluiceConfig settings = options.settings();
        TopicReport report;
        try (TopicAudit audit = new TopicAudit(settings.kafka())) {
            report = new TopicReport(audit.inspect(options.specs(settings, audit)));
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String> problems = report.problems();
        if (problems.isEmpty()) {
            out.println("all " + report.states().size() + " topics present as specified");
        } else {
            problems.forEach(out::println);
        }
        return report.exitCode();
    }
}
