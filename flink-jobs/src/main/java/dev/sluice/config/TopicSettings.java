package dev.sluice.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How Sluice's topics are to be made, {@code kafka.topic-settings} in {@code sluice.yaml}: what
 * {@code sluice topics create} creates them with, and what {@code sluice topics check} and {@code sluice run}
 * require of them ({@link TopicSpecs}).
 *
 * @param partitions partitions of every topic but the catalog (which has one key, so one partition); default
 *     {@code job.parallelism}, the pipeline's subtasks per operator: fewer would leave prompts-source subtasks idle
 * @param replicationFactor replicas of every partition; default the brokers' {@code default.replication.factor}
 * @param retention how long the topics that are not compacted keep records ({@code retention.ms}); default 7 days,
 *     Kafka's own default ({@code log.retention.hours=168}), set on each topic so that it does not follow a broker
 *     whose default is shorter
 */
public record TopicSettings(Integer partitions, Integer replicationFactor, Duration retention)
        implements Serializable {

    public TopicSettings {
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("kafka.topic-settings.partitions must be positive: " + partitions);
        }
        if (replicationFactor != null && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
            throw new IllegalArgumentException("kafka.topic-settings.replication-factor must be 1 to "
                    + Short.MAX_VALUE + ": " + replicationFactor);
        }
        retention = retention == null ? Duration.ofDays(7) : retention;
        if (retention.toMillis() < 1) {
            throw new IllegalArgumentException("kafka.topic-settings.retention must be positive: " + retention);
        }
    }

    public static TopicSettings ofDefaults() {
        return new TopicSettings(null, null, null);
    }
}
