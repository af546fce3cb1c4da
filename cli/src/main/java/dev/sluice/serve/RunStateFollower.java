package dev.sluice.serve;

import dev.sluice.config.KafkaSettings;
import dev.sluice.run.RunKeys;
import dev.sluice.schema.RunState;
import dev.sluice.terminal.TopicReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest state of every run in the runs topics of the tenants followed, read as the pipeline commits it: one
 * reader per topic however many batches wait on it (with {@code tenancy: record} every tenant shares one).
 * {@link #follow} and {@link #poll} belong to one thread; {@link #of} may be asked from any.
 */
final class RunStateFollower implements AutoCloseable {

    private final KafkaSettings kafka;
    private final Map<String, TopicReader<RunState>> readers = new HashMap<>();
    private final Map<String, RunState> latest = new ConcurrentHashMap<>();

    RunStateFollower(KafkaSettings kafka) {
        this.kafka = kafka;
    }

    void follow(String tenant) {
        readers.computeIfAbsent(kafka.topics().of(tenant).runs(),
                topic -> new TopicReader<>(kafka, topic, RunState.getClassSchema(), true));
    }

    /** Reads what has been committed since the last poll. */
    void poll() {
        for (TopicReader<RunState> reader : readers.values()) {
            while (reader.poll(Duration.ofMillis(50), state -> latest.put(
                    RunKeys.of(state.getTenant(), state.getRunId()), state)) > 0) {
                // drain what is there before the next batch is looked at
            }
        }
    }

    Optional<RunState> of(String tenant, String runId) {
        return Optional.ofNullable(latest.get(RunKeys.of(tenant, runId)));
    }

    @Override
    public void close() {
        readers.values().forEach(TopicReader::close);
    }
}
