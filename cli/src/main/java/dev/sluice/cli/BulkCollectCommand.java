package dev.sluice.cli;

import dev.sluice.bulk.RunOutcomes;
import dev.sluice.bulk.RunResultsWriter;
import dev.sluice.bulk.RunStates;
import dev.sluice.config.SluiceConfig;
import dev.sluice.schema.RunState;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice bulk collect ID --output FILE}: a run's results in input order, and its errors apart. */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Write a run's results in input order, one JSON line per item (custom_id, text, model, tokens), "
                + "and each item not served to an errors file with its reason. Exits 0 when every item was served, "
                + "3 when some were, 4 when none was or the run failed, 1 for a run never seen.")
final class BulkCollectCommand implements Callable<Integer> {

    @Mixin
    RunOptions run;

    @Parameters(paramLabel = "RUN_ID", description = "the run")
    String runId;

    @Option(names = "--output", required = true, description = "the results file (JSON lines)")
    Path output;

    @Option(names = "--errors", description = "the errors file (default: the results file's name + .errors.jsonl)")
    Path errors;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = run.settings();
        try (RunStates states = new RunStates(settings.kafka(), run.tenant, runId)) {
            Optional<RunState> state = states.current();
            if (state.isEmpty()) {
                System.err.println("no run '" + runId + "' of tenant '" + run.tenant + "'");
                return 1;
            }
            return collect(settings, state.get(), output, errors);
        }
    }

    /** Writes the run's results and errors; the exit code of its verdict. */
    static int collect(SluiceConfig settings, RunState state, Path output, Path errors) throws Exception {
        Path errorFile = errors != null ? errors : output.resolveSibling(output.getFileName() + ".errors.jsonl");
        RunOutcomes outcomes = RunOutcomes.read(settings.kafka(), state.getTenant(), state.getRunId());
        RunResultsWriter.Summary summary = RunResultsWriter.write(state, outcomes, output, errorFile);
        System.out.printf("%s: %d of %d items served -> %s; %d errors -> %s (run %s)%n",
                summary.verdict().name().toLowerCase(java.util.Locale.ROOT), summary.served(), summary.items(),
                output, summary.errors(), errorFile, state.getStatus().name().toLowerCase(java.util.Locale.ROOT));
        return summary.verdict().exitCode;
    }
}
