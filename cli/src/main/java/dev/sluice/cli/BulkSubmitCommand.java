package dev.sluice.cli;

import dev.sluice.bulk.BulkSubmitter;
import dev.sluice.bulk.RunPublisher;
import dev.sluice.bulk.RunReport;
import dev.sluice.bulk.RunResultsWriter;
import dev.sluice.bulk.RunStates;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bulk submit}: reads a run's input, renders its prompts, splits documents too long for the chosen
 * model, and publishes what is not done yet. Submitting the same run id again resumes it, and retries its items
 * rejected for server health.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit a bulk run from a JSONL file (custom_id with text or messages, or OpenAI Batch API "
                + "lines), a CSV file or a folder of text files. Submitting the same run id again publishes only the "
                + "requests not published yet, and retries the items rejected for server health (BACKEND_FAILED, "
                + "DEADLINE_EXCEEDED) until the run's deadline. With --wait, exits when the run ends, with collect's "
                + "exit code.")
final class BulkSubmitCommand implements Callable<Integer> {

    @Mixin
    RunOptions run;

    @Option(names = "--input", required = true, description = "a .jsonl or .csv file, or a folder of text files")
    Path input;

    @Option(names = "--task", defaultValue = "custom",
            description = "translate, summarize or custom (default: ${DEFAULT-VALUE}: the text is the prompt)")
    BulkSubmitter.Kind task;

    @Option(names = "--run-id", required = true, description = "the run's name; the same name resumes it")
    String runId;

    @Option(names = "--source-lang", description = "the input's language, BCP 47 (e.g. en)")
    String sourceLang;

    @Option(names = "--target-lang", description = "the language to translate into, BCP 47 (e.g. ja)")
    String targetLang;

    @Option(names = "--template", description = "a Jinja prompt template of your own, using {{ text }}")
    Path template;

    @Option(names = "--column", description = "CSV: the column with the text (default: text)")
    String column;

    @Option(names = "--id-column", description = "CSV: the column with each row's id (default: custom_id, else row-N)")
    String idColumn;

    @Option(names = "--max-tokens", description = "tokens each answer may have (default: the pipeline's default)")
    Integer maxTokens;

    @Option(names = "--deadline", defaultValue = "PT24H",
            description = "how long the run may take from its first submission, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration deadline;

    @Option(names = "--batch-size", defaultValue = "25", description = "requests per published batch "
            + "(default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--wait", description = "wait for the run to end, collect it, and exit with collect's code")
    boolean await;

    @Option(names = "--output", description = "with --wait: the results file (default: RUN_ID.jsonl)")
    Path output;

    @Option(names = "--errors", description = "with --wait: the errors file (default: the results file + .errors.jsonl)")
    Path errors;

    @Option(names = "--timeout", defaultValue = "PT24H", description = "with --wait: the longest wait, ISO-8601")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = run.settings();
        Catalog catalog = Catalog.load(settings.catalogPath(run.config));
        try (RunStates states = new RunStates(settings.kafka(), run.tenant, runId);
                RunPublisher publisher = new RunPublisher(settings.kafka())) {
            Optional<RunState> existing = states.current();
            if (existing.isPresent() && existing.get().getStatus() == RunStatus.FAILED) {
                System.err.println("run '" + runId + "' failed validation (" + existing.get().getMessage()
                        + "); submit under another run id");
                return RunResultsWriter.Verdict.FAILED.exitCode;
            }
            // A completed or expired run is resubmitted: its items rejected for server health are retried, or the
            // retry refused past the deadline.
            int attempt = 0;
            if (existing.isPresent() && existing.get().getStatus() == RunStatus.CANCELLED) {
                System.out.println("run '" + runId + "' has ended: " + RunReport.status(existing.get()));
            } else {
                BulkSubmitter.Result result = new BulkSubmitter(settings, catalog, publisher).submit(
                        new BulkSubmitter.Options(input, task, runId, run.tenant, sourceLang, targetLang, template,
                                column, idColumn, maxTokens, deadline, batchSize, null,
                                BulkSubmitter.DEFAULT_MAX_ITEMS), existing.orElse(null));
                (result.error() == null ? System.out : System.err).println(result.describe(runId));
                if (result.error() != null) {
                    return result.invalid() ? RunResultsWriter.Verdict.FAILED.exitCode : 2;
                }
                attempt = result.attempt();
            }
            if (!await) {
                return 0;
            }
            Optional<RunState> watched = BulkStatusCommand.watch(states, runId, attempt, timeout);
            watched.ifPresent(state -> System.out.print(RunReport.describe(state, catalog.referencePrice())));
            if (watched.isEmpty() || !RunStates.FINAL.contains(watched.get().getStatus())) {
                System.err.println("the run did not end within " + timeout);
                return 2;
            }
            RunState last = watched.get();
            return BulkCollectCommand.collect(settings, last,
                    output != null ? output : Path.of(runId + ".jsonl"), errors);
        }
    }
}
