package dev.sluice.demo;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.TenantTopics;
import dev.sluice.schema.Completion;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.Reject;
import dev.sluice.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the pipeline's outputs as a downstream consumer would: {@code read_committed}, so only what the job's
 * transactions committed is seen, from the beginning of each topic.
 */
public final class OutputCollector implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<String> completionTopics = new HashSet<>();
    private final Set<String> rejectTopics = new HashSet<>();
    private final RecordCodec<Completion> completionCodec = new RecordCodec<>(Completion.getClassSchema());
    private final RecordCodec<Reject> rejectCodec = new RecordCodec<>(Reject.getClassSchema());
    private final RecordCodec<InferenceMetric> metricCodec = new RecordCodec<>(InferenceMetric.getClassSchema());
    private final List<Completion> completions = new ArrayList<>();
    private final List<Reject> rejects = new ArrayList<>();
    private final List<InferenceMetric> metrics = new ArrayList<>();
    private final List<Long> completionsReadAtNanos = new ArrayList<>();
    private final List<String> completionKeys = new ArrayList<>();

    /** Reads the shared output topics of {@code kafka} ({@code tenancy: record}). */
    public OutputCollector(KafkaSettings kafka) {
        this(kafka, List.of(kafka.topics().of(null)));
    }

    /** Reads the output topics of {@code tenants} ({@code tenancy: topic}), all into the same lists. */
    public static OutputCollector ofTenants(KafkaSettings kafka, Collection<String> tenants) {
        return new OutputCollector(kafka, tenants.stream().map(kafka.topics()::of).toList());
    }

    private OutputCollector(KafkaSettings kafka, List<TenantTopics> tenants) {
        Properties properties = kafka.clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // Assigned, not subscribed: with no group there is no rebalance to send it back to the start when the
        // broker restarts, so each committed record is read once.
        List<TopicPartition> partitions = new ArrayList<>();
        for (TenantTopics topics : tenants) {
            completionTopics.add(topics.completions());
            rejectTopics.add(topics.rejects());
            for (String topic : List.of(topics.completions(), topics.rejects(), topics.metrics())) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic);
                if (infos.isEmpty()) {
                    // Watching nothing would look like an outcome that never came.
                    throw new IllegalStateException("topic " + topic + " has no partitions to collect from");
                }
                infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
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
            if (completionTopics.contains(record.topic())) {
                completions.add(completionCodec.decode(record.value()));
                completionsReadAtNanos.add(System.nanoTime());
                completionKeys.add(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
            } else if (rejectTopics.contains(record.topic())) {
                rejects.add(rejectCodec.decode(record.value()));
            } else {
                metrics.add(metricCodec.decode(record.value()));
            }
        }
    }

    public List<Completion> completions() {
        return completions;
    }

    /** Each completion's record key, in the order read. */
    public List<String> completionKeys() {
        return completionKeys;
    }

    /** When each completion was read, on the {@link System#nanoTime()} clock, in the order read. */
    public List<Long> completionsReadAtNanos() {
        return completionsReadAtNanos;
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
