package dev.sluice.launch;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.TopicSpec;
import dev.sluice.config.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Sluice's topics as a Kafka cluster has them, set against their {@link TopicSpec}s, through Kafka's Admin client
 * with the configuration's bootstrap servers and client properties (security included). Every request gives up
 * after {@value #TIMEOUT_MS} ms, so a cluster that does not answer is an error, not a hang.
 */
public final class TopicAudit implements AutoCloseable {

    private static final int TIMEOUT_MS = 30_000;

    private final Admin admin;
    /** Named in errors: which cluster did not answer. */
    private final String bootstrapServers;

    public TopicAudit(KafkaSettings kafka) {
        this.bootstrapServers = kafka.bootstrapServers();
        try {
            this.admin = Admin.create(kafka.clientProperties());
        } catch (KafkaException e) {
            // An unresolvable host or a bad security property fails here, before any request.
            throw new IllegalStateException("cannot connect to Kafka at " + bootstrapServers, e);
        }
    }

    /** The tenants that have any topic of their own on the cluster ({@code tenancy: topic}); none in {@code record}. */
    public Set<String> tenantsWithTopics(Topics topics) {
        Set<String> names = answer("list the topics", admin.listTopics(new ListTopicsOptions().timeoutMs(TIMEOUT_MS))
                .names());
        return names.stream().map(topics::tenantOf).flatMap(Optional::stream)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Each of {@code specs} as the cluster has it; changes nothing. */
    public List<TopicState> inspect(List<TopicSpec> specs) {
        Map<String, KafkaFuture<TopicDescription>> descriptions = admin.describeTopics(
                specs.stream().map(TopicSpec::name).toList(), new DescribeTopicsOptions().timeoutMs(TIMEOUT_MS))
                .topicNameValues();
        List<ConfigResource> present = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (exists(descriptions.get(spec.name()))) {
                present.add(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            }
        }
        Map<ConfigResource, KafkaFuture<Config>> configs = admin.describeConfigs(present,
                new DescribeConfigsOptions().timeoutMs(TIMEOUT_MS)).values();
        List<TopicState> states = new ArrayList<>();
        for (TopicSpec spec : specs) {
            KafkaFuture<Config> config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            states.add(config == null ? TopicState.missing(spec) : state(spec,
                    answer("describe topic " + spec.name(), descriptions.get(spec.name())),
                    answer("describe the configuration of topic " + spec.name(), config)));
        }
        return states;
    }

    /**
     * Creates those of {@code specs} that are missing and returns every one's state; an existing topic is left as it
     * is, right or wrong. One created meanwhile by someone else is looked at again, as any existing one.
     */
    public List<TopicState> create(List<TopicSpec> specs) {
        List<TopicState> states = new ArrayList<>(inspect(specs));
        List<TopicSpec> missing = states.stream().filter(state -> state.presence() == TopicState.Presence.MISSING)
                .map(TopicState::spec).toList();
        if (missing.isEmpty()) {
            return states;
        }
        Map<String, KafkaFuture<Void>> created = admin.createTopics(missing.stream().map(TopicSpec::newTopic).toList(),
                new CreateTopicsOptions().timeoutMs(TIMEOUT_MS)).values();
        for (int i = 0; i < states.size(); i++) {
            TopicSpec spec = states.get(i).spec();
            KafkaFuture<Void> creation = created.get(spec.name());
            if (creation != null) {
                states.set(i, outcome(spec, creation));
            }
        }
        return states;
    }

    private TopicState outcome(TopicSpec spec, KafkaFuture<Void> creation) {
        try {
            creation.get();
            return TopicState.created(spec);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return inspect(List.of(spec)).get(0);
            }
            return TopicState.notCreated(spec, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + spec.name(), e);
        }
    }

    private static TopicState state(TopicSpec spec, TopicDescription description, Config config) {
        int replicas = description.partitions().stream().mapToInt(partition -> partition.replicas().size()).min()
                .orElse(0);
        Map<String, String> configs = config.entries().stream().filter(entry -> entry.value() != null)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
        return new TopicState(spec, TopicState.Presence.PRESENT,
                spec.problems(description.partitions().size(), replicas, configs));
    }

    /** Whether the topic exists: Kafka answers a missing one with {@link UnknownTopicOrPartitionException}. */
    private boolean exists(KafkaFuture<TopicDescription> description) {
        try {
            description.get();
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw failure("describe the topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the topics", e);
        }
    }

    private <T> T answer(String what, KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw failure(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what, e);
        }
    }

    private IllegalStateException failure(String what, ExecutionException e) {
        return new IllegalStateException("cannot " + what + " at " + bootstrapServers, e.getCause());
    }

    @Override
    public void close() {
        admin.close();
    }
}
