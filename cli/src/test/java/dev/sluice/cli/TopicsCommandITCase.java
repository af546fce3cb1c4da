package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TopicSpec;
import dev.sluice.config.TopicSpecs;
import dev.sluice.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice topics create} and {@code sluice topics check}, parsed by the real command line, against a real
 * broker: each test has a topic prefix of its own, so each starts from a cluster without its topics.
 */
class TopicsCommandITCase {

    private static EmbeddedKafka kafka;
    private static Admin admin;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        admin.close();
        kafka.close();
    }

    @Test
    void checkReportsEveryTopicMissingAndCreateMakesThemOnceWithTheirConfigs() throws Exception {
        Path file = config("fresh", "");
        List<String> names = List.of("fresh.prompts", "fresh.completions", "fresh.metrics", "fresh.rejects",
                "fresh.metrics.summary", "fresh.usage", "fresh.catalog", "fresh.runs.commands", "fresh.runs",
                "fresh.dead-letters");

        Result missing = sluice("topics", "check", "--config", file.toString());
        Result created = sluice("topics", "create", "--config", file.toString());
        awaitCheck(file);
        Result again = sluice("topics", "create", "--config", file.toString());
        Result checked = sluice("topics", "check", "--config", file.toString());

        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.lines()).containsExactlyElementsOf(names.stream().map(n -> "topic " + n + " is missing")
                .toList());
        assertThat(created.exitCode()).isZero();
        assertThat(created.lines()).hasSize(10).allMatch(line -> line.startsWith("created fresh."))
                .contains("created fresh.catalog (1 partition, cleanup.policy=compact)",
                        "created fresh.runs (2 partitions, cleanup.policy=compact)",
                        "created fresh.prompts (2 partitions, cleanup.policy=delete, retention.ms=604800000)");
        assertThat(again.exitCode()).isZero();
        assertThat(again.lines()).containsExactlyElementsOf(names.stream().map(n -> "present " + n).toList());
        assertThat(checked.lines()).containsExactly("all 10 topics present as specified");

        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
        assertThat(described.get("fresh.catalog").partitions()).hasSize(1);
        assertThat(names).filteredOn(name -> !name.equals("fresh.catalog"))
                .allSatisfy(name -> assertThat(described.get(name).partitions()).as(name).hasSize(2));
        Set<String> compacted = Set.of("fresh.catalog", "fresh.runs");
        assertThat(configs(names, "cleanup.policy")).isEqualTo(names.stream().collect(Collectors.toMap(
                Function.identity(), name -> compacted.contains(name) ? "compact" : "delete")));
        assertThat(configs(List.of("fresh.prompts"), "retention.ms")).containsEntry("fresh.prompts", "604800000");
    }

    @Test
    void aTopicMadeWrongIsReportedAndLeftAsItIs() throws Exception {
        Path file = config("wrong", "");
        kafka.createTopics(List.of(
                new TopicSpec("wrong.catalog", 1, Optional.empty(), Map.of("cleanup.policy", "delete")),
                new TopicSpec("wrong.prompts", 1, Optional.empty(), Map.of())));

        Result checked = sluice("topics", "check", "--config", file.toString());
        Result created = sluice("topics", "create", "--config", file.toString());

        List<String> wrong = List.of("topic wrong.prompts: 1 partition, needs at least 2",
                "topic wrong.catalog: cleanup.policy is delete, needs compact");
        assertThat(checked.exitCode()).isEqualTo(4);
        assertThat(checked.lines()).hasSize(10).containsAll(wrong).contains("topic wrong.runs is missing");
        assertThat(created.exitCode()).as("create changes no existing topic").isEqualTo(4);
        assertThat(created.lines()).containsAll(wrong).contains("created wrong.runs (2 partitions, "
                + "cleanup.policy=compact)").filteredOn(line -> line.startsWith("created ")).hasSize(8);
        assertThat(configs(List.of("wrong.catalog"), "cleanup.policy")).containsEntry("wrong.catalog", "delete");
    }

    @Test
    void topicTenancyMakesTheTopicsOfTheCatalogsTenantsAndCompletesAnyTenantMadeInPart() throws Exception {
        Files.writeString(dir.resolve("catalog.yaml"), """
                models: []
                policies:
                  acme: {commercial: true, monthly-active-users: 10}
                """);
        Path file = config("tenants", "  tenancy: topic\n  topic-settings: {partitions: 3}\n");
        kafka.createTopics(List.of("tenants.prompts.initech"), 3);
        // Created is not yet listed: the broker's metadata follows the controller's by a moment.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!admin.listTopics().names().get().contains("tenants.prompts.initech") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        Result created = sluice("topics", "create", "--config", file.toString());

        SluiceConfig config = SluiceConfig.load(file, Map.of());
        List<String> expected = TopicSpecs.of(config).all(List.of("acme", "initech")).stream().map(TopicSpec::name)
                .toList();
        assertThat(created.exitCode()).isZero();
        assertThat(created.lines()).hasSize(16).contains("present tenants.prompts.initech",
                "created tenants.completions.initech (3 partitions, cleanup.policy=delete, retention.ms=604800000)",
                "created tenants.runs.acme (3 partitions, cleanup.policy=compact)");
        assertThat(admin.listTopics().names().get()).containsAll(expected);
    }

    @Test
    void anUnreachableClusterIsAnErrorOfItsOwn() throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, "kafka:\n  bootstrap-servers: no-such-broker.invalid:9092\n");

        Result result = sluice("topics", "check", "--config", file.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.lines()).isEmpty();
        assertThat(result.errors()).contains("cannot connect to Kafka at no-such-broker.invalid:9092");
    }

    /** A configuration with the prefix {@code prefix} and more lines for its {@code kafka} section. */
    private Path config(String prefix, String moreKafka) throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, """
                kafka:
                  bootstrap-servers: %s
                  topic-prefix: %s
                %sjob:
                  parallelism: 2
                """.formatted(kafka.bootstrapServers(), prefix, moreKafka));
        return file;
    }

    /** Waits until the broker answers for every topic it created: its metadata follows the controller's. */
    private static void awaitCheck(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sluice("topics", "check", "--config", file.toString()).exitCode() != 0) {
            assertThat(System.nanoTime()).as("the topics created show within 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static Map<String, String> configs(List<String> topics, String key) throws Exception {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
        return configs.entrySet().stream().collect(Collectors.toMap(entry -> entry.getKey().name(),
                entry -> entry.getValue().get(key).value()));
    }

    /** What a command printed on standard output, line by line, on standard error, and its exit code. */
    private record Result(int exitCode, List<String> lines, String errors) {}

    private static Result sluice(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SluiceCli.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Result(code, out.toString().lines().toList(), err.toString());
    }
}
