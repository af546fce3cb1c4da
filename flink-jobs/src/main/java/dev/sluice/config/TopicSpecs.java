package dev.sluice.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The one definition of how each of Sluice's topics is made: partitions, replicas, compaction and retention. The
 * catalog and the runs topics are compacted, since readers want the latest document or run state per key however
 * old; the catalog has one partition, since it has one key. Every other topic keeps its records for a time, so its
 * records may have no key ({@code cleanup.policy=compact} would refuse those).
 *
 * @param topics their names
 * @param partitions partitions of every topic but the catalog
 * @param settings replication factor and retention
 */
public record TopicSpecs(Topics topics, int partitions, TopicSettings settings) {

    public TopicSpecs {
        Objects.requireNonNull(topics, "topics");
        settings = settings == null ? TopicSettings.ofDefaults() : settings;
    }

    /** As {@code config} asks: {@code kafka.topic-settings}, partitions by default {@code job.parallelism}. */
    public static TopicSpecs of(SluiceConfig config) {
        TopicSettings settings = config.kafka().topicSettings();
        return new TopicSpecs(config.kafka().topics(),
                settings.partitions() != null ? settings.partitions() : config.job().parallelism(), settings);
    }

    /**
     * The topics of the deployment: the shared ones ({@link Topics#all()}) and, in {@link Tenancy#topic}, those of
     * each of {@code tenants}; in {@link Tenancy#record} tenants have no topics of their own and are ignored.
     */
    public List<TopicSpec> all(Collection<String> tenants) {
        List<TopicSpec> specs = new ArrayList<>(shared());
        if (topics.tenancy() == Tenancy.topic) {
            tenants.stream().sorted().forEach(tenant -> specs.addAll(tenant(tenant)));
        }
        return List.copyOf(specs);
    }

    /** The shared topics, {@link Topics#all()}. */
    public List<TopicSpec> shared() {
        return topics.all().stream().map(name -> spec(name, name.equals(topics.runs()))).toList();
    }

    /** {@code tenant}'s own topics ({@link Tenancy#topic}; in {@link Tenancy#record} the shared ones it uses). */
    public List<TopicSpec> tenant(String tenant) {
        TenantTopics own = topics.of(tenant);
        return own.all().stream().map(name -> spec(name, name.equals(own.runs()))).toList();
    }

    private TopicSpec spec(String name, boolean runs) {
        Optional<Short> replicas = Optional.ofNullable(settings.replicationFactor()).map(Integer::shortValue);
        if (name.equals(topics.catalog())) {
            return new TopicSpec(name, 1, replicas, compacted());
        }
        return new TopicSpec(name, partitions, replicas, runs ? compacted() : Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, String.valueOf(settings.retention().toMillis())));
    }

    private static Map<String, String> compacted() {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }
}
