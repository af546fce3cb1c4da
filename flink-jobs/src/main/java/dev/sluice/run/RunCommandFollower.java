package dev.sluice.run;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.Tenancy;
import dev.sluice.config.Topics;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.serde.RecordCodec;
import dev.sluice.serde.Truncation;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the run commands topic beside the job, outside its data flow, and records each cancellation in
 * {@link RunCancellations} as soon as it is written. In the job a command travels behind the requests already
 * buffered between operators, and under backpressure, the usual state of a bulk run, a checkpoint barrier's
 * alignment holds it back further: a cancel would reach the inference operator only after most of the run. This
 * path is not checkpointed and need not be: the job's own broadcast of the commands stays the record. In
 * {@code tenancy: topic} it reads every tenant's run commands topic, and a command counts only for the tenant whose
 * topic it was written to.
 */
final class RunCommandFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommandFollower.class);

    private static final long POLL_MILLIS = 500;
    private static final long LOOK_AGAIN_MILLIS = 30_000;
    private static final long WARN_EVERY_MILLIS = 60_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordCodec<RunCommand> codec = new RecordCodec<>(RunCommand.getClassSchema());
    private final Topics topics;
    private final Thread thread;
    private volatile boolean closed;
    /** Read and written by the follower's thread only. */
    private long unreadable;
    private long lastWarningMillis = -WARN_EVERY_MILLIS;

    RunCommandFollower(KafkaSettings kafka, RunCancellations cancellations) {
        Properties properties = kafka.clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = kafka.topics();
        String topic = topics.runCommands();
        this.thread = new Thread(() -> follow(topic, cancellations), "run-commands-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void follow(String topic, RunCancellations cancellations) {
        Set<TopicPartition> assigned = new HashSet<>();
        long nextLookMillis = 0;
        try {
            while (!closed) {
                try {
                    if (System.currentTimeMillis() >= nextLookMillis) {
                        // The topic may not exist yet, or gain partitions: look again now and then.
                        assignNew(topic, assigned);
                        nextLookMillis = System.currentTimeMillis() + LOOK_AGAIN_MILLIS;
                    }
                    if (assigned.isEmpty()) {
                        Thread.sleep(POLL_MILLIS);
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(POLL_MILLIS))) {
                        cancelIfCancel(record, cancellations);
                    }
                } catch (WakeupException | InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("reading {} failed; trying again in a second", topic, e);
                    Thread.sleep(1_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
        }
    }

    /** Adds the partitions not read yet (of every tenant's topic in {@code tenancy: topic}), each from its start. */
    private void assignNew(String topic, Set<TopicPartition> assigned) {
        List<PartitionInfo> partitions = topics.tenancy() == Tenancy.record ? consumer.partitionsFor(topic)
                : consumer.listTopics().entrySet().stream()
                        .filter(entry -> topics.tenantRunCommands().matcher(entry.getKey()).matches())
                        .flatMap(entry -> entry.getValue().stream()).toList();
        List<TopicPartition> found = partitions.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        List<TopicPartition> added = found.stream().filter(p -> !assigned.contains(p)).toList();
        if (!added.isEmpty()) {
            assigned.addAll(added);
            consumer.assign(assigned);
            consumer.seekToBeginning(added);
        }
    }

    private void cancelIfCancel(ConsumerRecord<byte[], byte[]> record, RunCancellations cancellations) {
        if (record.value() == null) {
            return;
        }
        try {
            RunCommand command = codec.decode(record.value());
            if (!ownedBy(record.topic(), command)) {
                // The job's source keeps it on the dead-letters topic as a TENANT_MISMATCH.
                unreadable(record, new IllegalArgumentException("a command for tenant '"
                        + Truncation.text(command.getTenant(), 64) + "' in another tenant's topic"));
                return;
            }
            if (command.getAction() == RunAction.CANCEL) {
                cancellations.cancel(RunKeys.of(command.getTenant(), command.getRunId()));
            }
        } catch (RuntimeException e) {
            unreadable(record, e);
        }
    }

    /** Whether the command may act for the tenant it names: always with shared topics, else its topic's tenant. */
    private boolean ownedBy(String topic, RunCommand command) {
        return topics.tenancy() == Tenancy.record
                || topics.tenantOf(topic).map(owner -> owner.equals(command.getTenant())).orElse(false);
    }

    /**
     * Counts a record that is not a RunCommand, or one for another tenant, and warns of it, at most once a minute: a
     * writer of garbage must not flood every TaskManager's log. The job's own source of the topic keeps the record on
     * the dead-letters topic.
     */
    private void unreadable(ConsumerRecord<byte[], byte[]> record, RuntimeException e) {
        unreadable++;
        long now = System.currentTimeMillis();
        if (now - lastWarningMillis >= WARN_EVERY_MILLIS) {
            lastWarningMillis = now;
            LOG.warn("refused run command at {}-{}@{} ({} so far; the pipeline keeps them on its dead-letters"
                    + " topic): {}", record.topic(), record.partition(), record.offset(), unreadable, e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
    }
}
