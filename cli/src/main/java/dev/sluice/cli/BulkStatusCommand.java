package dev.sluice.cli;

import dev.sluice.bulk.RunReport;
import dev.sluice.bulk.RunStates;
import dev.sluice.config.SluiceConfig;
import dev.sluice.schema.RunState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice bulk status ID}: where a run stands, from the runs topic; {@code --watch} follows it. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a run's status (validating, in_progress, finalizing, completed, failed, cancelled, "
                + "expired), counts, tokens, throughput and ETA. Exits 1 for a run never seen.")
final class BulkStatusCommand implements Callable<Integer> {

    @Mixin
    RunOptions run;

    @Parameters(paramLabel = "RUN_ID", description = "the run")
    String runId;

    @Option(names = "--watch", description = "show a progress bar until the run ends")
    boolean watch;

    @Option(names = "--timeout", defaultValue = "PT24H",
            description = "with --watch, the longest wait, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = run.settings();
        try (RunStates states = new RunStates(settings.kafka(), run.tenant, runId)) {
            Optional<RunState> state = watch ? watch(states, runId, 0, timeout) : states.current();
            if (state.isEmpty()) {
                System.err.println("no run '" + runId + "' of tenant '" + run.tenant + "' in "
                        + settings.kafka().topics().of(run.tenant).runs());
                return 1;
            }
            System.out.print(RunReport.describe(state.get(), run.referencePrice(settings)));
            return 0;
        }
    }

    /**
     * Follows the run with a progress bar until it ends with retry {@code attempt} or a later one, or
     * {@code timeout} passes; its last state.
     */
    static Optional<RunState> watch(RunStates states, String runId, int attempt, Duration timeout) {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(runId).setInitialMax(-1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).build()) {
            Optional<RunState> last = states.awaitFinal(attempt, timeout, state -> {
                if (state.getTotalItems() != null) {
                    bar.maxHint(state.getTotalItems());
                }
                bar.stepTo(RunReport.settled(state));
                bar.setExtraMessage(RunReport.status(state) + ", " + state.getFailedItems() + " failed");
            });
            return last.isPresent() ? last : states.current();
        }
    }
}
