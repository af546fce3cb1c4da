package dev.sluice.cli;

import dev.sluice.bulk.BulkInput;
import dev.sluice.bulk.BulkItem;
import dev.sluice.bulk.BulkRequests;
import dev.sluice.bulk.InvalidInputException;
import dev.sluice.bulk.PromptTemplate;
import dev.sluice.bulk.RunOutcomes;
import dev.sluice.bulk.RunPublisher;
import dev.sluice.bulk.RunReport;
import dev.sluice.bulk.RunResultsWriter;
import dev.sluice.bulk.RunStates;
import dev.sluice.config.SluiceConfig;
import dev.sluice.intake.IntakeLimits;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.ModelAvailability;
import dev.sluice.routing.RouteDecision;
import dev.sluice.routing.Router;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import dev.sluice.schema.Task;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bulk submit}: reads a run's input, renders its prompts, splits documents too long for the chosen
 * model, and publishes what is not done yet. Submitting the same run id again resumes it.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit a bulk run from a JSONL file (custom_id with text or messages, or OpenAI Batch API "
                + "lines), a CSV file or a folder of text files. Submitting the same run id again publishes only the "
                + "requests that have no outcome yet. With --wait, exits when the run ends, with collect's exit code.")
final class BulkSubmitCommand implements Callable<Integer> {

    /** Run ids become request ids and topic keys: plain characters, and room for the item number after them. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    enum BulkTask { translate, summarize, custom }

    @Mixin
    RunOptions run;

    @Option(names = "--input", required = true, description = "a .jsonl or .csv file, or a folder of text files")
    Path input;

    @Option(names = "--task", defaultValue = "custom",
            description = "translate, summarize or custom (default: ${DEFAULT-VALUE}: the text is the prompt)")
    BulkTask task;

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

    @Option(names = "--batch-size", defaultValue = "100", description = "requests per published batch")
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
        if (!RUN_ID.matcher(runId).matches()) {
            System.err.println("run id must match " + RUN_ID.pattern());
            return 2;
        }
        try (RunStates states = new RunStates(settings.kafka(), run.tenant, runId);
                RunPublisher publisher = new RunPublisher(settings.kafka())) {
            Optional<RunState> existing = states.current();
            if (existing.isPresent() && existing.get().getStatus() == RunStatus.FAILED) {
                System.err.println("run '" + runId + "' failed validation (" + existing.get().getMessage()
                        + "); submit under another run id");
                return RunResultsWriter.Verdict.FAILED.exitCode;
            }
            if (existing.isPresent() && RunStates.FINAL.contains(existing.get().getStatus())) {
                System.out.println("run '" + runId + "' has ended: " + RunReport.status(existing.get()));
            } else {
                Integer failed = publish(settings, existing.orElse(null), publisher);
                if (failed != null) {
                    return failed;
                }
            }
            if (!await) {
                return 0;
            }
            RunState last = BulkStatusCommand.watch(states, runId, timeout).orElseThrow();
            System.out.print(RunReport.describe(last));
            if (!RunStates.FINAL.contains(last.getStatus())) {
                System.err.println("the run did not end within " + timeout);
                return 2;
            }
            return BulkCollectCommand.collect(settings, last,
                    output != null ? output : Path.of(runId + ".jsonl"), errors);
        }
    }

    /** Validates the input and publishes what is not done; null when it did, else the exit code. */
    private Integer publish(SluiceConfig settings, RunState existing, RunPublisher publisher) throws Exception {
        if (existing == null) {
            publisher.send(command(RunAction.VALIDATING).build());
        }
        IntakeLimits limits = settings.limits().toIntakeLimits();
        int answerTokens = maxTokens != null ? maxTokens : limits.defaultMaxTokens();
        long deadlineMillis = existing != null && existing.getDeadline() != null ? existing.getDeadline()
                : System.currentTimeMillis() + deadline.toMillis();
        List<PromptRequest> requests;
        int items;
        try {
            List<BulkItem> read = BulkInput.read(input, column, idColumn);
            Task kind = switch (task) {
                case translate -> Task.TRANSLATE;
                case summarize -> Task.SUMMARIZE;
                case custom -> Task.CHAT;
            };
            int context = chosenContext(settings, kind, answerTokens);
            PromptTemplate prompts = template != null ? PromptTemplate.load(template)
                    : kind == Task.CHAT ? null : PromptTemplate.shipped(kind, sourceLang, targetLang);
            requests = BulkRequests.of(read, new BulkRequests.RunSpec(runId, run.tenant, kind, sourceLang,
                    targetLang, prompts, answerTokens, deadlineMillis, context));
            items = read.size();
        } catch (InvalidInputException | IllegalArgumentException e) {
            System.err.println("invalid input: " + e.getMessage());
            if (existing == null) {
                publisher.send(command(RunAction.INVALID).setMessage(e.getMessage()).build());
            }
            return RunResultsWriter.Verdict.FAILED.exitCode;
        }
        String digest = BulkRequests.digest(requests);
        if (existing != null && existing.getInputDigest() != null && !existing.getInputDigest().equals(digest)) {
            System.err.println("run '" + runId + "' was submitted with other input or options; submit this under "
                    + "another run id");
            return 2;
        }
        publisher.send(command(RunAction.SUBMITTED).setTotalItems(items).setDeadline(deadlineMillis)
                .setInputDigest(digest).build());
        List<PromptRequest> outstanding = requests;
        if (existing != null) {
            RunOutcomes outcomes = RunOutcomes.read(settings.kafka(), run.tenant, runId);
            outstanding = requests.stream().filter(r -> !outcomes.isAnswered(r.getRequestId())).toList();
        }
        int perBatch = Math.min(batchSize, limits.maxBatchPrompts());
        int batches = publisher.publish(run.tenant, runId, outstanding, perBatch, limits.maxRecordBytes() / 2);
        System.out.printf(Locale.ROOT, "run %s: %d items, %d requests; published %d requests in %d batches%s%n",
                runId, items, requests.size(), outstanding.size(), batches,
                existing == null ? "" : " (" + (requests.size() - outstanding.size()) + " already had an outcome)");
        return null;
    }

    /**
     * The context window of the model the router picks for this run's requests now, so documents are split to
     * fit it. An input no model may serve for this tenant fails validation here, not item by item.
     */
    private int chosenContext(SluiceConfig settings, Task kind, int answerTokens) throws Exception {
        Catalog catalog = Catalog.load(settings.catalogPath(run.config));
        PromptRequest probe = PromptRequest.newBuilder().setRequestId(runId + "#probe").setTenant(run.tenant)
                .setTask(kind).setPrompt("probe").setSourceLanguage(sourceLang).setTargetLanguage(targetLang)
                .setParams(GenerationParams.newBuilder().setMaxTokens(answerTokens).build()).build();
        RouteDecision decision = new Router(catalog, ModelAvailability.allUp(), answerTokens).route(probe);
        if (!decision.isRouted()) {
            throw new InvalidInputException(List.of("no model serves this run for tenant '" + run.tenant + "': "
                    + decision.because()));
        }
        return decision.chosen().context();
    }

    private RunCommand.Builder command(RunAction action) {
        return RunCommand.newBuilder().setRunId(runId).setTenant(run.tenant).setAction(action)
                .setIssuedAt(System.currentTimeMillis());
    }
}
