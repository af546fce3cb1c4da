package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link TopicSpecs} and {@link TopicSpec}. */
class TopicSpecsTest {

    private static final String KAFKA = "kafka:\n  bootstrap-servers: broker:9092\n";
    private static final Map<String, String> COMPACT = Map.of("cleanup.policy", "compact");
    private static final Map<String, String> WEEK = Map.of("cleanup.policy", "delete", "retention.ms", "604800000");

    @TempDir
    Path dir;

    @Test
    void recordTenancySharesEveryTopicAndCompactsTheCatalogAndTheRuns() throws IOException {
        TopicSpecs specs = TopicSpecs.of(load(KAFKA + "job:\n  parallelism: 3\n"));

        assertThat(specs.all(List.of("acme"))).as("tenants have no topics of their own").containsExactly(
                new TopicSpec("sluice.prompts", 3, Optional.empty(), WEEK),
                new TopicSpec("sluice.completions", 3, Optional.empty(), WEEK),
                new TopicSpec("sluice.metrics", 3, Optional.empty(), WEEK),
                new TopicSpec("sluice.rejects", 3, Optional.empty(), WEEK),
                new TopicSpec("sluice.metrics.summary", 3, Optional.empty(), WEEK),
                new TopicSpec("sluice.usage", 3, Optional.empty(), WEEK),
                new TopicSpec("sluice.catalog", 1, Optional.empty(), COMPACT),
                new TopicSpec("sluice.runs.commands", 3, Optional.empty(), WEEK),
                new TopicSpec("sluice.runs", 3, Optional.empty(), COMPACT),
                new TopicSpec("sluice.dead-letters", 3, Optional.empty(), WEEK));
        assertThat(specs.all(List.of("acme"))).filteredOn(TopicSpec::compacted).extracting(TopicSpec::name)
                .containsExactly("sluice.catalog", "sluice.runs");
    }

    @Test
    void topicTenancyGivesEachTenantItsOwnTopicsBesideTheOperators() throws IOException {
        TopicSpecs specs = TopicSpecs.of(load(KAFKA + "  tenancy: topic\n"));

        List<TopicSpec> all = specs.all(List.of("globex", "acme"));

        assertThat(all).extracting(TopicSpec::name).containsExactly(
                "sluice.metrics.summary", "sluice.usage", "sluice.catalog", "sluice.dead-letters",
                "sluice.prompts.acme", "sluice.completions.acme", "sluice.metrics.acme", "sluice.rejects.acme",
                "sluice.runs.acme", "sluice.runs.commands.acme",
                "sluice.prompts.globex", "sluice.completions.globex", "sluice.metrics.globex",
                "sluice.rejects.globex", "sluice.runs.globex", "sluice.runs.commands.globex");
        assertThat(all).filteredOn(TopicSpec::compacted).extracting(TopicSpec::name)
                .containsExactly("sluice.catalog", "sluice.runs.acme", "sluice.runs.globex");
        assertThat(all).filteredOn(spec -> !spec.name().equals("sluice.catalog")).extracting(TopicSpec::partitions)
                .as("job.parallelism's default").containsOnly(2);
        assertThat(specs.all(List.of())).isEqualTo(specs.shared()).hasSize(4);
        assertThatThrownBy(() -> specs.all(List.of("Acme Corp"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant 'Acme Corp' cannot name topics");
    }

    @Test
    void topicSettingsOverrideTheDefaultsInTheFileAndFromTheEnvironment() throws IOException {
        Path file = write(KAFKA + "  topic-settings:\n    partitions: 6\n    replication-factor: 3\n"
                + "    retention: P1D\njob:\n  parallelism: 2\n");

        TopicSpecs fromFile = TopicSpecs.of(SluiceConfig.load(file, Map.of()));
        TopicSpecs overridden = TopicSpecs.of(SluiceConfig.load(file,
                Map.of("SLUICE_KAFKA_TOPIC_SETTINGS_PARTITIONS", "12")));

        assertThat(fromFile.shared()).filteredOn(spec -> spec.name().equals("sluice.prompts")).singleElement()
                .isEqualTo(new TopicSpec("sluice.prompts", 6, Optional.of((short) 3),
                        Map.of("cleanup.policy", "delete", "retention.ms", "86400000")));
        assertThat(fromFile.shared()).filteredOn(spec -> spec.name().equals("sluice.catalog")).singleElement()
                .isEqualTo(new TopicSpec("sluice.catalog", 1, Optional.of((short) 3), COMPACT));
        assertThat(overridden.partitions()).isEqualTo(12);
    }

    @Test
    void badTopicSettingsAreRefusedWithTheKeyAndTheLine() throws IOException {
        assertThatThrownBy(() -> load(KAFKA + "  topic-settings:\n    partitions: 0\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.topic-settings.partitions must be positive: 0")
                .hasMessageContaining("near line");
        assertThatThrownBy(() -> load(KAFKA + "  topic-settings:\n    replication-factor: 40000\n"))
                .hasMessageContaining("kafka.topic-settings.replication-factor must be 1 to 32767: 40000");
        assertThatThrownBy(() -> load(KAFKA + "  topic-settings:\n    retention: PT0S\n"))
                .hasMessageContaining("kafka.topic-settings.retention must be positive");
        assertThatThrownBy(() -> load(KAFKA + "  topic-settings:\n    partition: 4\n"))
                .as("a misspelt key").hasMessageContaining("partition");
    }

    @Test
    void anExistingTopicIsWrongWhereItHasLessThanItsSpecOrAnotherCleanupPolicy() {
        TopicSpec prompts = new TopicSpec("sluice.prompts", 4, Optional.of((short) 3), WEEK);
        TopicSpec catalog = new TopicSpec("sluice.catalog", 1, Optional.empty(), COMPACT);

        assertThat(prompts.problems(8, 5, Map.of("cleanup.policy", "delete", "retention.ms", "-1")))
                .as("more partitions, replicas and retention do no harm").isEmpty();
        assertThat(prompts.problems(2, 1, Map.of("cleanup.policy", "compact", "retention.ms", "3600000")))
                .containsExactly("topic sluice.prompts: 2 partitions, needs at least 4",
                        "topic sluice.prompts: replication factor 1, needs at least 3",
                        "topic sluice.prompts: cleanup.policy is compact, needs delete",
                        "topic sluice.prompts: retention.ms is 3600000, needs at least 604800000");
        assertThat(catalog.problems(1, 1, Map.of("cleanup.policy", "compact,delete")))
                .containsExactly("topic sluice.catalog: cleanup.policy is compact,delete, needs compact");
        assertThat(catalog.problems(1, 1, Map.of("cleanup.policy", "compact"))).isEmpty();
        assertThat(catalog.problems(1, 1, Map.of()))
                .containsExactly("topic sluice.catalog: cleanup.policy is not set, needs compact");
    }

    @Test
    void aSpecIsCreatedAsItReads() {
        TopicSpec runs = new TopicSpec("sluice.runs", 2, Optional.empty(), COMPACT);

        assertThat(runs.newTopic().numPartitions()).isEqualTo(2);
        assertThat(runs.newTopic().replicationFactor()).as("the brokers' default").isEqualTo((short) -1);
        assertThat(runs.newTopic().configs()).isEqualTo(COMPACT);
        assertThat(new TopicSpec("sluice.prompts", 1, Optional.of((short) 3), WEEK).describe())
                .isEqualTo("1 partition, replication factor 3, cleanup.policy=delete, retention.ms=604800000");
    }

    private SluiceConfig load(String yaml) throws IOException {
        return SluiceConfig.load(write(yaml), Map.of());
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
