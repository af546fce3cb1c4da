package dev.sluice.chaos;

import dev.sluice.job.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Fails its task the first time a record carrying {@code marker} passes, as a crashed TaskManager would; the
 * restored job lets it through. Markers already fired are kept JVM-wide, since the restored task is a new instance.
 */
final class FailOnTrigger implements MapFunction<SourceRecord, SourceRecord> {

    private static final Set<String> FIRED = ConcurrentHashMap.newKeySet();

    private final String marker;

    FailOnTrigger(String marker) {
        this.marker = marker;
    }

    /** Whether a record carrying {@code marker} has failed a task. */
    static boolean fired(String marker) {
        return FIRED.contains(marker);
    }

    @Override
    public SourceRecord map(SourceRecord record) {
        if (record.value() != null && new String(record.value(), StandardCharsets.UTF_8).contains(marker)
                && FIRED.add(marker)) {
            throw new IllegalStateException("injected task failure at offset " + record.offset());
        }
        return record;
    }
}
