package dev.sluice.bulk;

import dev.sluice.config.KafkaSettings;
import dev.sluice.run.RunKeys;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import dev.sluice.terminal.TopicReader;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Follows one bulk run's state in the compacted runs topic, where the pipeline writes it. */
public final class RunStates implements AutoCloseable {

    /** Statuses a run never leaves. */
    public static final Set<RunStatus> FINAL =
            EnumSet.of(RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.EXPIRED);

    private final TopicReader<RunState> reader;
    private final String key;
    private RunState latest;

    public RunStates(KafkaSettings kafka, String tenant, String runId) {
        this.reader = new TopicReader<>(kafka, kafka.topics().of(tenant).runs(), RunState.getClassSchema(), true);
        this.key = RunKeys.of(tenant, runId);
    }

    /** The run's state as last written, reading all that is committed now; empty for a run never seen. */
    public Optional<RunState> current() {
        reader.readToEnd().forEach(this::keep);
        return Optional.ofNullable(latest);
    }

    /** Waits up to {@code wait} for newer states; the latest seen. */
    public Optional<RunState> poll(Duration wait) {
        reader.poll(wait, this::keep);
        return Optional.ofNullable(latest);
    }

    private void keep(RunState state) {
        if (key.equals(RunKeys.of(state.getTenant(), state.getRunId()))) {
            latest = state;
        }
    }

    /**
     * The state once it is final with its retry {@code attempt} or a later one (a run completed before a retry
     * is reopened by it), polling until {@code timeout} passes; empty if it is not by then.
     */
    public Optional<RunState> awaitFinal(int attempt, Duration timeout, Consumer<RunState> onChange) {
        return await(state -> FINAL.contains(state.getStatus()) && state.getAttempt() >= attempt, timeout, onChange);
    }

    /**
     * The state once {@code done} holds for it, polling until {@code timeout} passes, and telling {@code onChange}
     * each newer state; empty if it does not hold by then.
     */
    public Optional<RunState> await(Predicate<RunState> done, Duration timeout, Consumer<RunState> onChange) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RunState shown = null;
        Optional<RunState> state = current();
        while (true) {
            if (state.isPresent() && state.get() != shown) {
                shown = state.get();
                onChange.accept(shown);
            }
            if (state.isPresent() && done.test(state.get())) {
                return state;
            }
            if (System.nanoTime() >= deadline) {
                return Optional.empty();
            }
            state = poll(Duration.ofMillis(500));
        }
    }

    @Override
    public void close() {
        reader.close();
    }
}
