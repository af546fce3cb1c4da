package dev.sluice.chaos;

import dev.sluice.job.SourceRecord;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Passes records through and notes the highest attempt number any of its subtasks ran as: above 0, the job
 * restarted (a failure, then a restore from a checkpoint). Read in the same JVM, on a local MiniCluster.
 */
final class AttemptProbe extends RichMapFunction<SourceRecord, SourceRecord> {

    private static final Map<String, Integer> HIGHEST = new ConcurrentHashMap<>();

    private final String run;

    AttemptProbe(String run) {
        this.run = run;
    }

    @Override
    public void open(OpenContext context) {
        HIGHEST.merge(run, getRuntimeContext().getTaskInfo().getAttemptNumber(), Math::max);
    }

    @Override
    public SourceRecord map(SourceRecord record) {
        return record;
    }

    /** How many times the job of {@code run} restarted, as far as this operator saw. */
    static int restarts(String run) {
        return HIGHEST.getOrDefault(run, 0);
    }
}
