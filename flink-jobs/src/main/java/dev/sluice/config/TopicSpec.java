package dev.sluice.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * One topic as Sluice needs it: what {@code sluice topics create} makes, and the least that {@code check} and
 * {@code run} accept, as {@link TopicSpecs} derives it from the configuration.
 *
 * @param name the topic
 * @param partitions partitions to create it with, and the fewest it may have
 * @param replicationFactor replicas per partition, and the fewest it may have; empty: the brokers' default, which
 *     is then not checked
 * @param configs topic configurations ({@code cleanup.policy}, {@code retention.ms}) it is created with and must
 *     have; {@code retention.ms} is a minimum, since keeping records longer harms nothing
 */
public record TopicSpec(String name, int partitions, Optional<Short> replicationFactor, Map<String, String> configs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be positive: " + partitions);
        }
        replicationFactor = replicationFactor == null ? Optional.empty() : replicationFactor;
        // Sorted, so that every line that lists them reads the same.
        configs = configs == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(configs));
    }

    public boolean compacted() {
        return TopicConfig.CLEANUP_POLICY_COMPACT.equals(configs.get(TopicConfig.CLEANUP_POLICY_CONFIG));
    }

    /** The Admin client's request that creates this topic. */
    public NewTopic newTopic() {
        return new NewTopic(name, Optional.of(partitions), replicationFactor).configs(configs);
    }

    /** What it is created with, for a line of output: {@code 2 partitions, cleanup.policy=delete, ...}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(partitions(partitions));
        replicationFactor.ifPresent(replicas -> parts.add("replication factor " + replicas));
        configs.forEach((key, value) -> parts.add(key + "=" + value));
        return String.join(", ", parts);
    }

    /**
     * Why a topic of this name, with these partitions, replicas and configuration, cannot serve as this one: a
     * line each, naming the topic; empty when it can. More partitions or replicas than specified do no harm.
     */
    public List<String> problems(int actualPartitions, int actualReplicationFactor, Map<String, String> actualConfigs) {
        List<String> problems = new ArrayList<>();
        if (actualPartitions < partitions) {
            problems.add("topic " + name + ": " + partitions(actualPartitions) + ", needs at least " + partitions);
        }
        replicationFactor.filter(replicas -> actualReplicationFactor < replicas).ifPresent(replicas -> problems.add(
                "topic " + name + ": replication factor " + actualReplicationFactor + ", needs at least " + replicas));
        configs.forEach((key, wanted) -> {
            String actual = actualConfigs.get(key);
            if (!satisfies(key, actual, wanted)) {
                problems.add("topic " + name + ": " + key + " is " + (actual == null ? "not set" : actual) + ", needs "
                        + (key.equals(TopicConfig.RETENTION_MS_CONFIG) ? "at least " : "") + wanted);
            }
        });
        return problems;
    }

    private static String partitions(int count) {
        return count + (count == 1 ? " partition" : " partitions");
    }

    private static boolean satisfies(String key, String actual, String wanted) {
        if (actual == null) {
            return false;
        }
        return switch (key) {
            // A list: "compact,delete" also deletes old records, which would lose the latest catalog or run state.
            case TopicConfig.CLEANUP_POLICY_CONFIG -> policies(actual).equals(policies(wanted));
            // -1 keeps records for ever.
            case TopicConfig.RETENTION_MS_CONFIG -> Long.parseLong(actual) == -1
                    || Long.parseLong(actual) >= Long.parseLong(wanted);
            default -> actual.equals(wanted);
        };
    }

    private static Set<String> policies(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).collect(Collectors.toSet());
    }
}
