package dev.sluice.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Tests for {@link RunTracker}. */
class RunTrackerTest {

    private static final String RUN = "nightly";
    private static final String TENANT = "acme";

    @Test
    void aRunIsFinalizingWhenEveryItemHasAnOutcomeAndCompletedOnceTheirCheckpointHasCompleted() throws Exception {
        try (var harness = harness()) {
            harness.setProcessingTime(1_000);
            harness.processElement(command(RunAction.VALIDATING, null, null), 0);
            harness.processElement(command(RunAction.SUBMITTED, 3, null), 0);
            harness.processElement(completed(0, 1, 10, 20), 0);
            harness.processElement(rejected(1, 1, RejectReason.NO_ELIGIBLE_MODEL), 0);
            harness.processElement(completed(2, 1, 5, 7), 0);

            assertThat(statuses(harness)).containsExactly(RunStatus.VALIDATING, RunStatus.IN_PROGRESS,
                    RunStatus.FINALIZING);
            RunState finalizing = latest(harness);
            assertThat(finalizing.getTotalItems()).isEqualTo(3);
            assertThat(finalizing.getDoneItems()).isEqualTo(2);
            assertThat(finalizing.getFailedItems()).isEqualTo(1);
            assertThat(finalizing.getPromptTokens()).isEqualTo(15);
            assertThat(finalizing.getCompletionTokens()).isEqualTo(27);
            assertThat(finalizing.getCost()).as("the completions' costs, summed").isCloseTo(0.042, within(1e-9));

            // The outcomes go out with the next checkpoint: not completed before it has completed.
            harness.setProcessingTime(2_000);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.FINALIZING);
            harness.snapshot(1, 2_000);
            harness.notifyOfCompletedCheckpoint(1);
            harness.setProcessingTime(3_000);

            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.COMPLETED);
            assertThat(latest(harness).getFinishedAt()).isEqualTo(3_000);
        }
    }

    @Test
    void anItemSplitInPartsIsDoneWithItsLastPartAndFailedWithAnyRejectedPart() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 2, null), 0);
            harness.processElement(part(0, 0, 3, 1, 1), 0);
            harness.processElement(part(0, 2, 3, 1, 1), 0);
            // Part 2 served twice (a copy past the dedupe window) is still one part of three.
            harness.processElement(part(0, 2, 3, 1, 1), 0);
            harness.processElement(completed(1, 2, 1, 1), 0);
            harness.processElement(rejected(1, 2, RejectReason.BACKEND_FAILED), 0);
            harness.setProcessingTime(1_000);

            assertThat(latest(harness).getDoneItems()).isZero();
            assertThat(latest(harness).getFailedItems()).isEqualTo(1);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.IN_PROGRESS);

            harness.processElement(part(0, 1, 3, 1, 1), 0);

            assertThat(latest(harness).getDoneItems()).isEqualTo(1);
            assertThat(latest(harness).getCompletionTokens()).as("each part counted once").isEqualTo(4);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.FINALIZING);
        }
    }

    @Test
    void duplicatesAndSecondOutcomesOfAnItemCountNothing() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 2, null), 0);
            harness.processElement(completed(0, 1, 1, 1), 0);
            harness.processElement(rejected(0, 1, RejectReason.DUPLICATE_REQUEST), 0);
            harness.processElement(completed(0, 1, 1, 1), 0);
            harness.processElement(rejected(1, 1, RejectReason.DUPLICATE_REQUEST), 0);
            harness.setProcessingTime(1_000);

            RunState state = latest(harness);
            assertThat(state.getDoneItems()).isEqualTo(1);
            assertThat(state.getFailedItems()).isZero();
            assertThat(state.getStatus()).isEqualTo(RunStatus.IN_PROGRESS);
        }
    }

    @Test
    void aCancelledRunCountsItsDroppedItemsAsCancelled() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 3, null), 0);
            harness.processElement(completed(0, 1, 1, 1), 0);
            harness.processElement(command(RunAction.CANCEL, null, null), 0);
            harness.processElement(rejected(1, 1, RejectReason.CANCELLED), 0);
            harness.processElement(rejected(2, 1, RejectReason.CANCELLED), 0);
            harness.setProcessingTime(1_000);

            RunState state = latest(harness);
            assertThat(state.getStatus()).isEqualTo(RunStatus.CANCELLED);
            assertThat(state.getDoneItems()).isEqualTo(1);
            assertThat(state.getCancelledItems()).isEqualTo(2);
            // A resubmission after the cancel changes nothing.
            harness.processElement(command(RunAction.SUBMITTED, 3, null), 0);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.CANCELLED);
        }
    }

    /** The TaskManagers act on a cancel before the tracker reads it: every outstanding item comes back cancelled. */
    @Test
    void aRunWhoseItemsWereCancelledBeforeItsCancelCommandCameEndsCancelled() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 2, null), 0);
            harness.processElement(completed(0, 1, 1, 1), 0);
            harness.processElement(rejected(1, 1, RejectReason.CANCELLED), 0);
            harness.processElement(command(RunAction.CANCEL, null, null), 0);
            harness.snapshot(1, 1_000);
            harness.notifyOfCompletedCheckpoint(1);
            harness.setProcessingTime(2_000);

            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.CANCELLED);
            assertThat(latest(harness).getCancelledItems()).isEqualTo(1);
        }
    }

    @Test
    void aCancelOfARunThatHasEveryOutcomeChangesNothing() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 1, null), 0);
            harness.processElement(completed(0, 1, 1, 1), 0);
            harness.processElement(command(RunAction.CANCEL, null, null), 0);

            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.FINALIZING);
        }
    }

    @Test
    void aRunWithItemsOutstandingAtItsDeadlineExpires() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 2, 5_000L), 0);
            harness.processElement(completed(0, 1, 1, 1), 0);
            harness.setProcessingTime(4_999);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.IN_PROGRESS);

            harness.setProcessingTime(5_000);

            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.EXPIRED);
            assertThat(latest(harness).getMessage()).isEqualTo("1 items had no outcome at the deadline");
        }
    }

    @Test
    void anInvalidInputFailsTheRun() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.VALIDATING, null, null), 0);
            RunEvent invalid = command(RunAction.INVALID, null, null);
            invalid.command().setMessage("line 3: custom_id is missing");
            harness.processElement(invalid, 0);

            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.FAILED);
            assertThat(latest(harness).getMessage()).isEqualTo("line 3: custom_id is missing");
        }
    }

    @Test
    void aRetryReopensACompletedRunsRetriedItemsAndOnlyTheirLatestAttemptCounts() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 3, null), 0);
            harness.processElement(completed(0, 1, 1, 1), 0);
            harness.processElement(rejected(1, 1, RejectReason.BACKEND_FAILED), 0);
            harness.processElement(rejected(2, 1, RejectReason.DEADLINE_EXCEEDED), 0);
            completeCheckpoint(harness, 1, 1_000);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.COMPLETED);

            harness.processElement(retry(1, 1L, 2L), 0);

            RunState reopened = latest(harness);
            assertThat(reopened.getStatus()).isEqualTo(RunStatus.IN_PROGRESS);
            assertThat(reopened.getAttempt()).isEqualTo(1);
            assertThat(reopened.getFailedItems()).isZero();
            assertThat(reopened.getDoneItems()).isEqualTo(1);
            assertThat(reopened.getFinishedAt()).isNull();

            // Late outcomes of the first attempt, and item 0 served again, count nothing.
            harness.processElement(attempt(1, 0, null), 0);
            harness.processElement(attempt(0, 0, null), 0);
            harness.processElement(attempt(1, 1, null), 0);
            harness.setProcessingTime(2_000);
            assertThat(latest(harness).getDoneItems()).isEqualTo(2);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.IN_PROGRESS);

            harness.processElement(attempt(2, 1, RejectReason.BACKEND_FAILED), 0);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.FINALIZING);
            completeCheckpoint(harness, 2, 3_000);

            RunState completed = latest(harness);
            assertThat(completed.getStatus()).isEqualTo(RunStatus.COMPLETED);
            assertThat(completed.getDoneItems()).isEqualTo(2);
            assertThat(completed.getFailedItems()).isEqualTo(1);
            assertThat(completed.getCompletionTokens()).isEqualTo(2);

            // A second retry of item 2: item 1, done in attempt 1 and forgotten since, stays done.
            harness.processElement(retry(2, 2L), 0);
            harness.processElement(attempt(1, 1, null), 0);
            harness.processElement(attempt(2, 2, null), 0);
            completeCheckpoint(harness, 3, 4_000);

            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.COMPLETED);
            assertThat(latest(harness).getDoneItems()).isEqualTo(3);
            assertThat(latest(harness).getFailedItems()).isZero();
            assertThat(latest(harness).getAttempt()).isEqualTo(2);
        }
    }

    @Test
    void anOutcomeOfAnAttemptNotAnnouncedYetReopensItsItemOnce() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 2, null), 0);
            harness.processElement(rejected(0, 1, RejectReason.BACKEND_FAILED), 0);
            harness.processElement(attempt(1, 0, null), 0);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.FINALIZING);

            harness.processElement(attempt(0, 1, null), 0);
            harness.processElement(retry(1, 0L), 0);
            harness.setProcessingTime(1_000);

            RunState state = latest(harness);
            assertThat(state.getDoneItems()).isEqualTo(2);
            assertThat(state.getFailedItems()).isZero();
            assertThat(state.getAttempt()).isEqualTo(1);
            assertThat(state.getStatus()).isEqualTo(RunStatus.FINALIZING);
        }
    }

    /**
     * A RETRY comes from the tenant's producers: items the run does not have, served items beyond those failed,
     * and attempts below 1 reopen nothing, so no count goes below zero and the run still completes.
     */
    @Test
    void aRetryOfItemsTheRunDoesNotHaveOrThatDidNotFailReopensNothing() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 2, null), 0);
            harness.processElement(completed(0, 1, 1, 1), 0);
            harness.processElement(rejected(1, 1, RejectReason.BACKEND_FAILED), 0);
            completeCheckpoint(harness, 1, 1_000);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.COMPLETED);

            harness.processElement(retry(0, 1L), 0);
            harness.processElement(retry(1, -1L, 2L, Long.MAX_VALUE), 0);
            harness.processElement(attempt(7, 1, null), 0);
            assertThat(latest(harness).getStatus()).as("nothing reopened").isEqualTo(RunStatus.COMPLETED);

            // The failed item and then the served one: only one item failed, so only one is reopened.
            harness.processElement(retry(1, 1L, 0L), 0);
            RunState reopened = latest(harness);
            assertThat(reopened.getStatus()).isEqualTo(RunStatus.IN_PROGRESS);
            assertThat(reopened.getFailedItems()).isZero();
            assertThat(reopened.getDoneItems()).isEqualTo(1);

            harness.processElement(attempt(1, 1, null), 0);
            completeCheckpoint(harness, 2, 2_000);
            assertThat(latest(harness).getStatus()).isEqualTo(RunStatus.COMPLETED);
            assertThat(latest(harness).getDoneItems()).isEqualTo(2);
        }
    }

    @Test
    void aCancelledRunIsNotRetried() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 2, null), 0);
            harness.processElement(rejected(0, 1, RejectReason.BACKEND_FAILED), 0);
            harness.processElement(command(RunAction.CANCEL, null, null), 0);
            harness.processElement(retry(1, 0L), 0);
            harness.processElement(attempt(0, 1, null), 0);
            harness.setProcessingTime(1_000);

            RunState state = latest(harness);
            assertThat(state.getStatus()).isEqualTo(RunStatus.CANCELLED);
            assertThat(state.getFailedItems()).isEqualTo(1);
            assertThat(state.getDoneItems()).isZero();
            assertThat(state.getAttempt()).isZero();
        }
    }

    @Test
    void countsGoOutAtMostOnceASecond() throws Exception {
        try (var harness = harness()) {
            harness.processElement(command(RunAction.SUBMITTED, 100, null), 0);
            for (int i = 0; i < 50; i++) {
                harness.processElement(completed(i, 1, 1, 1), 0);
            }
            assertThat(harness.extractOutputValues()).hasSize(1);

            harness.setProcessingTime(1_000);

            assertThat(harness.extractOutputValues()).hasSize(2);
            assertThat(latest(harness).getDoneItems()).isEqualTo(50);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RunEvent, RunState> harness() throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new RunTracker()), RunEvent::runKey, Types.STRING);
        harness.open();
        return harness;
    }

    private static RunEvent command(RunAction action, Integer total, Long deadline) {
        return RunEvent.of(RunCommand.newBuilder().setRunId(RUN).setTenant(TENANT).setAction(action)
                .setTotalItems(total).setDeadline(deadline).setIssuedAt(0).build());
    }

    private static RunEvent completed(long item, int parts, int promptTokens, int completionTokens) {
        return part(item, 0, parts, promptTokens, completionTokens);
    }

    private static RunEvent part(long item, int part, int parts, int promptTokens, int completionTokens) {
        return new RunEvent(RunKeys.of(TENANT, RUN), null,
                new ItemOutcome(item, part, parts, null, promptTokens, completionTokens,
                        (promptTokens + completionTokens) / 1000.0, 0));
    }

    private static RunEvent rejected(long item, int parts, RejectReason reason) {
        return attempt(item, 0, reason);
    }

    /** Attempt {@code attempt} at a one-part item: completed (one token each way) when {@code reason} is null. */
    private static RunEvent attempt(long item, int attempt, RejectReason reason) {
        int tokens = reason == null ? 1 : 0;
        return new RunEvent(RunKeys.of(TENANT, RUN), null,
                new ItemOutcome(item, 0, 1, reason, tokens, tokens, null, attempt));
    }

    private static RunEvent retry(int attempt, Long... items) {
        return RunEvent.of(RunCommand.newBuilder().setRunId(RUN).setTenant(TENANT).setAction(RunAction.RETRY)
                .setAttempt(attempt).setRetriedItems(List.of(items)).setIssuedAt(0).build());
    }

    private static void completeCheckpoint(KeyedOneInputStreamOperatorTestHarness<String, RunEvent, RunState> harness,
            long checkpoint, long now) throws Exception {
        harness.snapshot(checkpoint, now);
        harness.notifyOfCompletedCheckpoint(checkpoint);
        harness.setProcessingTime(now);
    }

    private static List<RunStatus> statuses(KeyedOneInputStreamOperatorTestHarness<String, RunEvent, RunState> h) {
        return h.extractOutputValues().stream().map(RunState::getStatus).toList();
    }

    private static RunState latest(KeyedOneInputStreamOperatorTestHarness<String, RunEvent, RunState> harness) {
        List<RunState> states = harness.extractOutputValues();
        return states.get(states.size() - 1);
    }
}
