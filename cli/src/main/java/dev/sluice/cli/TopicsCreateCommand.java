package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.launch.TopicAudit;
import dev.sluice.launch.TopicReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluice topics create}: every topic Sluice uses, as {@link dev.sluice.config.TopicSpecs} specifies it.
 * Idempotent: a topic already there is reported, never altered, since changing a live topic's partitions or cleanup
 * policy is the operator's decision (more partitions move keys; compaction drops records).
 */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create every topic Sluice uses that is missing, with the partitions, replication factor, "
                + "cleanup.policy and retention.ms it needs. Prints a line per topic: created, present, or what is "
                + "wrong with an existing one, which it leaves as it is.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {TopicReport.EXIT_OK, TopicReport.EXIT_ERROR, TopicReport.EXIT_USAGE, TopicReport.EXIT_MISSING,
            TopicReport.EXIT_WRONG})
final class TopicsCreateCommand implements Callable<Integer> {

    @Mixin
    TopicsOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SluiceConfig settings = options.settings();
        TopicReport report;
        try (TopicAudit audit = new TopicAudit(settings.kafka())) {
            report = new TopicReport(audit.create(options.specs(settings, audit)));
        }
        PrintWriter out = spec.commandLine().getOut();
        report.states().forEach(state -> state.createLines().forEach(out::println));
        return report.exitCode();
    }
}
