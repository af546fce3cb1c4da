package dev.sluice.cli;

import dev.sluice.bulk.RunPublisher;
import dev.sluice.bulk.RunReport;
import dev.sluice.bulk.RunStates;
import dev.sluice.config.SluiceConfig;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice bulk cancel ID}: the run's outstanding items are dropped and reported cancelled. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a run: its items not yet served are dropped from the queues and reported as cancelled. "
                + "Waits until every item is accounted for; exits 2 if that takes longer than --timeout.")
final class BulkCancelCommand implements Callable<Integer> {

    @Mixin
    RunOptions run;

    @Parameters(paramLabel = "RUN_ID", description = "the run")
    String runId;

    @Option(names = "--timeout", defaultValue = "PT2M",
            description = "the longest wait for every item to be accounted for, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = run.settings();
        try (RunStates states = new RunStates(settings.kafka(), run.tenant, runId);
                RunPublisher publisher = new RunPublisher(settings.kafka())) {
            Optional<RunState> before = states.current();
            if (before.isEmpty()) {
                // Its state may not be committed yet (it commits with the job's next checkpoint): cancel it anyway,
                // so whatever of it is published later is dropped too.
                System.err.println("run '" + runId + "' of tenant '" + run.tenant + "' has no state yet; cancelling");
            } else if (RunStates.FINAL.contains(before.get().getStatus())) {
                System.out.print(RunReport.describe(before.get(), run.referencePrice(settings)));
                return 0;
            }
            publisher.send(RunCommand.newBuilder().setRunId(runId).setTenant(run.tenant)
                    .setAction(RunAction.CANCEL).setIssuedAt(System.currentTimeMillis()).build());
            Optional<RunState> after = states.await(state -> RunStates.FINAL.contains(state.getStatus())
                    && (state.getTotalItems() == null || RunReport.settled(state) >= state.getTotalItems()),
                    timeout, state -> { });
            if (after.isEmpty()) {
                System.err.println("the run is cancelled, but not every item was accounted for within " + timeout);
                return 2;
            }
            System.out.print(RunReport.describe(after.get(), run.referencePrice(settings)));
            return 0;
        }
    }
}
