package dev.sluice.demo;

import dev.sluice.config.Topics;
import dev.sluice.schema.Completion;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.Reject;
import dev.sluice.serde.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the pipeline's outputs as a downstream consumer would: {@code read_committed}, so only what the job's
 * transactions committed is seen, from the beginning of each topic.
 */
public final class OutputCollector implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Topics topics;
    private final RecordCodec<Completion> completionCodec = new RecordCodec<>(Completion.getClassSchema());
    private final RecordCodec<Reject> rejectCodec = new RecordCodec<>(Reject.getClassSchema());
    private final RecordCodec<InferenceMetric> metricCodec = new RecordCodec<>(InferenceMetric.getClassSchema());
    private final List<Completion> completions = new ArrayList<>();
    private final List<Reject> rejects = new ArrayList<>();
    private final List<InferenceMetric> metrics = new ArrayList<>();

    public OutputCollector(String bootstrapServers, Topics topics) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "sluice-collector-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = topics;
        consumer.subscribe(List.of(topics.completions(), topics.rejects(), topics.metrics()));
    }

    /** Polls until {@code done} holds or {@code timeout} passes; returns whether it held. */
    public boolean collectUntil(BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            poll(Duration.ofMillis(200));
        }
        return true;
    }

    /** Keeps polling for {@code quiet} more, to catch anything that should not be there (duplicates). */
    public void drain(Duration quiet) {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            poll(Duration.ofMillis(200));
        }
    }

    private void poll(Duration wait) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
            if (record.topic().equals(topics.completions())) {
                completions.add(completionCodec.decode(record.value()));
            } else if (record.topic().equals(topics.rejects())) {
                rejects.add(rejectCodec.decode(record.value()));
            } else {
                metrics.add(metricCodec.decode(record.value()));
            }
        }
    }

    public List<Completion> completions() {
        return completions;
    }

    public List<Reject> rejects() {
        return rejects;
    }

    public List<InferenceMetric> metrics() {
        return metrics;
    }

    /** Completions plus rejects: every input unit ends as exactly one of them. */
    public int outcomes() {
        return completions.size() + rejects.size();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
