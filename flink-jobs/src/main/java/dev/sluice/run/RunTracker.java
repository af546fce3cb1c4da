package dev.sluice.run;

import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import java.util.EnumSet;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps each bulk run's state from the submitter's commands and the outcomes of its requests, and writes it out
 * (to the compacted runs topic) whenever the status changes, and at most once a second while counts change.
 *
 * <p>An item is done when every part of it has a completion; failed when a part is rejected; cancelled when a part
 * is rejected because the run was cancelled. Each item counts once: a second outcome for it (a resubmitted
 * request, rejected as a duplicate or, past the dedupe window, served again) changes nothing.
 *
 * <p>When every item has an outcome the run is {@link RunStatus#FINALIZING}: the outcomes are written, but in the
 * Kafka transaction of the next checkpoint. Once that checkpoint has completed, they are readable, and the run is
 * {@link RunStatus#COMPLETED}: whoever sees that can collect every result; {@link RunStatus#CANCELLED} instead
 * when some were cancelled, whether or not the cancel command came first. A run whose deadline passes with items
 * outstanding is {@link RunStatus#EXPIRED}; their requests are rejected as past the deadline and still counted.
 *
 * <p>A resubmission retries the items whose latest attempt was rejected for server health, as a new attempt
 * ({@link Attempts}) announced by a {@link RunAction#RETRY} command: each retried item is open again (no longer
 * failed) and the run, even a completed one, is in progress until every retried item has an outcome. Only an outcome
 * of an item's latest attempt counts; a late one of an earlier attempt changes nothing. The command and the
 * retries' outcomes come from different topics, so an outcome of an attempt not announced yet opens its item as the
 * command would.
 */
public final class RunTracker extends KeyedProcessFunction<String, RunEvent, RunState>
        implements CheckpointedFunction, CheckpointListener {

    private static final Set<RunStatus> FINAL =
            EnumSet.of(RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.EXPIRED);
    /** Statuses in which items can be retried: not a cancelled, failed or expired run. */
    private static final Set<RunStatus> RETRYABLE =
            EnumSet.of(RunStatus.IN_PROGRESS, RunStatus.FINALIZING, RunStatus.COMPLETED);
    /** An item's entry in {@link #parts} once it is counted; before that, the parts completed so far. */
    private static final int SETTLED = -1;
    static final long UPDATE_MILLIS = 1_000;
    static final long SEAL_POLL_MILLIS = 200;

    private transient ValueState<RunState> run;
    private transient MapState<Long, Integer> parts;
    /** The parts completed of items in several parts, as {@code item/part}, so a part served twice counts once. */
    private transient MapState<String, Boolean> completedParts;
    /** The checkpoint whose completion turns a finalizing run completed. */
    private transient ValueState<Long> sealedBy;
    private transient ValueState<Boolean> changed;
    /** The attempt each retried item is at; an item absent is at its first, 0. Kept when the run completes. */
    private transient MapState<Long, Integer> itemAttempts;
    /**
     * The run's attempt when it was last reopened after it had completed: its item entries were forgotten then, so
     * every item at this attempt or an earlier one is settled.
     */
    private transient ValueState<Integer> settledAttempt;
    private transient long lastSnapshot;
    private transient long lastCompleted;

    @Override
    public void open(OpenContext context) {
        run = getRuntimeContext().getState(new ValueStateDescriptor<>("run", new AvroTypeInfo<>(RunState.class)));
        parts = getRuntimeContext().getMapState(new MapStateDescriptor<>("parts", Types.LONG, Types.INT));
        completedParts = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("completed-parts", Types.STRING, Types.BOOLEAN));
        sealedBy = getRuntimeContext().getState(new ValueStateDescriptor<>("sealed-by", Types.LONG));
        changed = getRuntimeContext().getState(new ValueStateDescriptor<>("changed", Types.BOOLEAN));
        itemAttempts = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("item-attempts", Types.LONG, Types.INT));
        settledAttempt = getRuntimeContext().getState(new ValueStateDescriptor<>("settled-attempt", Types.INT));
    }

    @Override
    public void processElement(RunEvent event, Context context, Collector<RunState> out) throws Exception {
        long now = context.timerService().currentProcessingTime();
        RunState state = run.value();
        boolean created = state == null;
        if (created) {
            RunCommand command = event.command();
            String[] tenantAndRun = event.runKey().split("/", 2);
            state = RunState.newBuilder()
                    .setRunId(command != null ? command.getRunId() : tenantAndRun[1])
                    .setTenant(command != null ? command.getTenant() : tenantAndRun[0])
                    .setStatus(command != null && command.getAction() != null ? RunStatus.VALIDATING
                            : RunStatus.IN_PROGRESS)
                    .setDoneItems(0).setFailedItems(0).setCancelledItems(0)
                    .setPromptTokens(0).setCompletionTokens(0)
                    .setCreatedAt(now).setUpdatedAt(now)
                    .build();
        }
        // A new run goes out at once, whatever its first status.
        RunStatus before = created ? null : state.getStatus();
        boolean counted = event.command() != null
                ? apply(event.command(), state, context, now)
                : count(event.outcome(), state, now);
        if (allAccounted(state) && state.getStatus() == RunStatus.IN_PROGRESS) {
            state.setStatus(RunStatus.FINALIZING);
            sealedBy.update(lastSnapshot + 1);
            context.timerService().registerProcessingTimeTimer(now + SEAL_POLL_MILLIS);
        }
        if (allAccounted(state) && FINAL.contains(state.getStatus())) {
            forgetItems();
        }
        run.update(state);
        if (state.getStatus() != before) {
            emit(state, now, out);
        } else if (counted) {
            changed.update(true);
            context.timerService().registerProcessingTimeTimer((now / UPDATE_MILLIS + 1) * UPDATE_MILLIS);
        }
    }

    /** Applies a command; true when it changed a count or field other than the status. */
    private boolean apply(RunCommand command, RunState state, Context context, long now) throws Exception {
        boolean open = !FINAL.contains(state.getStatus());
        switch (command.getAction()) {
            case SUBMITTED -> {
                // A resubmission repeats the first; the run keeps its first deadline and input.
                if (state.getTotalItems() == null) {
                    state.setTotalItems(command.getTotalItems());
                    state.setDeadline(command.getDeadline());
                    state.setInputDigest(command.getInputDigest());
                    if (command.getDeadline() != null) {
                        context.timerService().registerProcessingTimeTimer(command.getDeadline());
                    }
                }
                if (state.getStatus() == RunStatus.VALIDATING) {
                    state.setStatus(RunStatus.IN_PROGRESS);
                }
                return true;
            }
            case INVALID -> {
                if (open) {
                    finish(state, RunStatus.FAILED, command.getMessage(), now);
                }
            }
            case CANCEL -> {
                // A finalizing run has every outcome: nothing is left to cancel.
                if (open && state.getStatus() != RunStatus.FINALIZING) {
                    finish(state, RunStatus.CANCELLED, "cancelled", now);
                }
            }
            case RETRY -> {
                // No deadline check here: the submitter refuses a retry past the deadline, and a retry's requests
                // carry the deadline, so a command read late still ends with its items' outcomes.
                if (command.getAttempt() == null || command.getAttempt() < 1
                        || !RETRYABLE.contains(state.getStatus())) {
                    return false;
                }
                boolean reopened = false;
                for (long index : command.getRetriedItems()) {
                    if (attemptOf(index) < command.getAttempt()) {
                        reopened |= reopen(index, command.getAttempt(), state);
                    }
                }
                return reopened;
            }
            default -> { }
        }
        return false;
    }

    /**
     * Opens item {@code index} again as {@code attempt}: no longer failed, if it was, and the run in progress until it
     * has an outcome. The submitter retries only items it read a health-caused reject of, which this counted failed.
     * The command and the request ids that name attempts come from the tenant's producers, so an item the run does
     * not have, or a settled one while none is counted failed, is not reopened: the state kept per run stays within
     * its size, and no count goes below zero. Returns whether it was reopened.
     */
    private boolean reopen(long index, int attempt, RunState state) throws Exception {
        if (state.getTotalItems() == null || index < 0 || index >= state.getTotalItems()) {
            return false;
        }
        if (isSettled(index, state)) {
            if (state.getFailedItems() == 0) {
                return false;
            }
            state.setFailedItems(state.getFailedItems() - 1);
        }
        if (state.getStatus() == RunStatus.COMPLETED) {
            settledAttempt.update(state.getAttempt());
        }
        parts.remove(index);
        itemAttempts.put(index, attempt);
        state.setAttempt(Math.max(state.getAttempt(), attempt));
        if (state.getStatus() != RunStatus.IN_PROGRESS) {
            state.setStatus(RunStatus.IN_PROGRESS);
            state.setMessage(null);
            state.setFinishedAt(null);
            sealedBy.clear();
        }
        return true;
    }

    private int attemptOf(long index) throws Exception {
        Integer attempt = itemAttempts.get(index);
        return attempt == null ? 0 : attempt;
    }

    /** Whether the item is counted: its entry says so, or it was forgotten when the run completed. */
    private boolean isSettled(long index, RunState state) throws Exception {
        Integer seen = parts.get(index);
        if (seen != null) {
            return seen == SETTLED;
        }
        Integer settled = settledAttempt.value();
        return state.getStatus() == RunStatus.COMPLETED || settled != null && attemptOf(index) <= settled;
    }

    /** Counts a request's outcome towards its item; true when a count changed. */
    private boolean count(ItemOutcome outcome, RunState state, long now) throws Exception {
        if (outcome.reason() == RejectReason.DUPLICATE_REQUEST) {
            // A resubmitted request the pipeline had already: the first copy's outcome counts.
            return false;
        }
        int attempt = attemptOf(outcome.itemIndex());
        if (outcome.attempt() > attempt && RETRYABLE.contains(state.getStatus())
                && reopen(outcome.itemIndex(), outcome.attempt(), state)) {
            attempt = outcome.attempt();
        }
        if (outcome.attempt() != attempt || allAccounted(state) || isSettled(outcome.itemIndex(), state)) {
            // An earlier attempt's, one of a run that has every outcome, or a second outcome of the item: the
            // first outcome of each item's latest attempt counts (and a settled run's item entries are gone).
            return false;
        }
        Integer seen = parts.get(outcome.itemIndex());
        if (state.getFirstOutcomeAt() == null) {
            state.setFirstOutcomeAt(now);
        }
        if (outcome.reason() == null) {
            String part = outcome.itemIndex() + "/" + outcome.part() + (attempt == 0 ? "" : "~" + attempt);
            if (outcome.parts() > 1 && completedParts.contains(part)) {
                return false;
            }
            state.setPromptTokens(state.getPromptTokens() + outcome.promptTokens());
            state.setCompletionTokens(state.getCompletionTokens() + outcome.completionTokens());
            if (outcome.cost() != null) {
                state.setCost((state.getCost() == null ? 0 : state.getCost()) + outcome.cost());
            }
            int completed = (seen == null ? 0 : seen) + 1;
            if (completed < outcome.parts()) {
                completedParts.put(part, true);
                parts.put(outcome.itemIndex(), completed);
                return true;
            }
            state.setDoneItems(state.getDoneItems() + 1);
        } else if (outcome.reason() == RejectReason.CANCELLED) {
            state.setCancelledItems(state.getCancelledItems() + 1);
        } else {
            state.setFailedItems(state.getFailedItems() + 1);
        }
        parts.put(outcome.itemIndex(), SETTLED);
        return true;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<RunState> out) throws Exception {
        RunState state = run.value();
        if (state == null) {
            return;
        }
        long now = context.timerService().currentProcessingTime();
        RunStatus before = state.getStatus();
        if (before == RunStatus.FINALIZING) {
            Long seal = sealedBy.value();
            if (seal != null && lastCompleted >= seal) {
                // The cancel command and the outcomes it caused come by different topics: the TaskManagers may
                // have rejected every outstanding item before the command reaches this run.
                boolean cancelled = state.getCancelledItems() > 0;
                finish(state, cancelled ? RunStatus.CANCELLED : RunStatus.COMPLETED, cancelled ? "cancelled" : null,
                        now);
                forgetItems();
                sealedBy.clear();
            } else {
                context.timerService().registerProcessingTimeTimer(now + SEAL_POLL_MILLIS);
            }
        } else if (!FINAL.contains(before) && state.getDeadline() != null && now >= state.getDeadline()
                && !allAccounted(state)) {
            finish(state, RunStatus.EXPIRED, outstanding(state) + " items had no outcome at the deadline", now);
        }
        if (state.getStatus() != before || Boolean.TRUE.equals(changed.value())) {
            run.update(state);
            emit(state, now, out);
        }
    }

    /** Once every item is counted, nothing more can count: the per-item entries go. */
    private void forgetItems() {
        parts.clear();
        completedParts.clear();
    }

    private void emit(RunState state, long now, Collector<RunState> out) throws Exception {
        state.setUpdatedAt(now);
        run.update(state);
        changed.clear();
        out.collect(RunState.newBuilder(state).build());
    }

    private static void finish(RunState state, RunStatus status, String message, long now) {
        state.setStatus(status);
        state.setMessage(message);
        state.setFinishedAt(now);
    }

    private static boolean allAccounted(RunState state) {
        return state.getTotalItems() != null && outstanding(state) <= 0;
    }

    private static long outstanding(RunState state) {
        return (long) state.getTotalItems() - state.getDoneItems() - state.getFailedItems() - state.getCancelledItems();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        lastSnapshot = context.getCheckpointId();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        long restored = context.getRestoredCheckpointId().orElse(0L);
        lastSnapshot = restored;
        lastCompleted = restored;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        lastCompleted = Math.max(lastCompleted, checkpointId);
    }
}
