package dev.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.Tenancy;
import dev.sluice.config.TenantTopics;
import dev.sluice.config.Topics;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.SaslScram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ACLs of {@link TenantAcls} on a real broker that authenticates clients with SCRAM-SHA-256 and authorizes
 * them with Kafka's {@code StandardAuthorizer}, nothing allowed without an ACL: tenant {@code acme} acts for itself
 * and cannot act for {@code globex}; only the operator writes the catalog; and the pipeline's own set is enough to
 * read every tenant's prompts by pattern and write their outputs in transactions.
 */
class TenantAclITCase {

    private static final Topics TOPICS = new Topics("acl", Tenancy.topic);
    private static final TenantTopics ACME = TOPICS.of("acme");
    private static final TenantTopics GLOBEX = TOPICS.of("globex");
    /** A tenant whose name starts with another's: a prefixed grant to acme would reach its topics. */
    private static final TenantTopics ACME_RETAIL = TOPICS.of("acme-retail");
    private static final SaslScram USERS = new SaslScram(Map.of(
            "acme", "acme-" + UUID.randomUUID(),
            "globex", "globex-" + UUID.randomUUID(),
            "pipeline", "pipeline-" + UUID.randomUUID(),
            "operator", "operator-" + UUID.randomUUID()));
    /** Long enough for a poll to see a committed record, short enough that a refused one fails the test quickly. */
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start(USERS);
        kafka.createTopics(Stream.of(ACME.all(), GLOBEX.all(), ACME_RETAIL.all(), TOPICS.all()).flatMap(List::stream).toList(), 1);
        TenantAcls acls = new TenantAcls(TOPICS);
        kafka.createAcls(Stream.of(acls.tenant("acme", "User:acme"), acls.tenant("globex", "User:globex"),
                acls.pipeline("User:pipeline"), acls.operator("User:operator")).flatMap(List::stream).toList());
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void aTenantWritesItsOwnPromptsAndRunCommands() throws Exception {
        try (KafkaProducer<String, String> acme = producer("acme", null)) {
            acme.send(new ProducerRecord<>(ACME.prompts(), "acme/p1", "prompt")).get();
            acme.send(new ProducerRecord<>(ACME.runCommands(), "acme/run-1", "cancel")).get();
        }
        assertThat(readUntil("acme", ACME.prompts(), "prompt")).contains("prompt");
    }

    @Test
    void aTenantCannotWriteAnotherTenantsPromptsNorCancelItsRuns() {
        try (KafkaProducer<String, String> acme = producer("acme", null)) {
            assertRefused(acme, GLOBEX.prompts(), "globex/p1", "posing as globex");
            assertRefused(acme, GLOBEX.runCommands(), "globex/run-1", "cancel");
            assertRefused(acme, ACME_RETAIL.prompts(), "acme-retail/p1", "posing as acme-retail");
        }
    }

    @Test
    void aTenantReadsItsOwnOutputsButNoOtherTenants() throws Exception {
        String mine = "completion-" + UUID.randomUUID();
        pipelineWrites(List.of(new ProducerRecord<>(ACME.completions(), "acme/p1", mine),
                new ProducerRecord<>(GLOBEX.completions(), "globex/p1", "globex's secret")));

        assertThat(readUntil("acme", ACME.completions(), mine)).contains(mine);
        for (String theirs : Stream.of(GLOBEX.outputs(), ACME_RETAIL.outputs()).flatMap(List::stream).toList()) {
            assertThatThrownBy(() -> readUntil("acme", theirs, "globex's secret")).as(theirs)
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aTenantCommitsOffsetsOnlyInItsOwnGroups() {
        try (KafkaConsumer<String, String> own = consumer("acme", "acl.acme.reader");
                KafkaConsumer<String, String> others = consumer("acme", "acl.globex.reader")) {
            own.subscribe(List.of(ACME.completions()));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (own.assignment().isEmpty() && System.nanoTime() < deadline) {
                own.poll(Duration.ofMillis(200));
            }
            assertThat(own.assignment()).as("joined its group").isNotEmpty();
            own.commitSync();
            assertThat(own.committed(own.assignment())).doesNotContainValue(null);
            others.subscribe(List.of(ACME.completions()));
            assertThatThrownBy(() -> others.poll(WAIT)).isInstanceOf(GroupAuthorizationException.class);
        }
    }

    @Test
    void onlyTheOperatorWritesTheCatalog() throws Exception {
        try (KafkaProducer<String, String> acme = producer("acme", null);
                KafkaProducer<String, String> pipeline = producer("pipeline", null)) {
            assertRefused(acme, TOPICS.catalog(), "catalog", "{\"policies\": []}");
            assertRefused(pipeline, TOPICS.catalog(), "catalog", "{\"policies\": []}");
        }
        try (KafkaProducer<String, String> operator = producer("operator", null)) {
            operator.send(new ProducerRecord<>(TOPICS.catalog(), "catalog", "signed document")).get();
        }
        assertThat(readUntil("pipeline", TOPICS.catalog(), "signed document")).contains("signed document");
    }

    @Test
    void thePipelineReadsEveryTenantsPromptsByPatternAndCommitsItsOffsets() throws Exception {
        String fromAcme = "acme-" + UUID.randomUUID();
        String fromGlobex = "globex-" + UUID.randomUUID();
        try (KafkaProducer<String, String> acme = producer("acme", null);
                KafkaProducer<String, String> globex = producer("globex", null)) {
            acme.send(new ProducerRecord<>(ACME.prompts(), "acme/p2", fromAcme)).get();
            globex.send(new ProducerRecord<>(GLOBEX.prompts(), "globex/p2", fromGlobex)).get();
        }
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> pipeline = consumer("pipeline", "acl-inference-pipeline")) {
            pipeline.subscribe(TOPICS.tenantPrompts());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!seen.containsAll(List.of(fromAcme, fromGlobex)) && System.nanoTime() < deadline) {
                pipeline.poll(Duration.ofMillis(200)).forEach(record -> seen.add(record.value()));
            }
            pipeline.commitSync();
        }
        assertThat(seen).contains(fromAcme, fromGlobex);
    }

    @Test
    void thePipelineSeesItsTopicsAsSluiceRunChecksThemAndATenantSeesNoConfiguration() throws Exception {
        List<String> checked = List.of(TOPICS.catalog(), TOPICS.deadLetters(), ACME.prompts(), GLOBEX.runs());
        List<ConfigResource> configs = checked.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        try (Admin pipeline = Admin.create(client("pipeline")); Admin acme = Admin.create(client("acme"))) {
            assertThat(pipeline.listTopics().names().get()).containsAll(checked);
            assertThat(pipeline.describeTopics(checked).allTopicNames().get()).containsOnlyKeys(checked);
            assertThat(pipeline.describeConfigs(configs).all().get()).containsOnlyKeys(configs);
            assertThatThrownBy(() -> acme.describeConfigs(configs.subList(2, 3)).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void thePipelineWritesTransactionsOnlyUnderItsOwnIdPrefix() {
        try (KafkaProducer<String, String> outsider = producer("pipeline", "elsewhere-completions-0")) {
            assertThatThrownBy(outsider::initTransactions)
                    .isInstanceOf(TransactionalIdAuthorizationException.class);
        }
    }

    /** A transaction as the pipeline's sinks write one, under the job's transactional id prefix. */
    private static void pipelineWrites(List<ProducerRecord<String, String>> records) {
        try (KafkaProducer<String, String> pipeline = producer("pipeline", "acl-completions-0")) {
            pipeline.initTransactions();
            pipeline.beginTransaction();
            records.forEach(pipeline::send);
            pipeline.commitTransaction();
        }
    }

    private static void assertRefused(KafkaProducer<String, String> producer, String topic, String key,
            String value) {
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, key, value)).get()).as(topic)
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
    }

    /**
     * The committed values of {@code topic} up to {@code wanted} (or all within {@link #WAIT}), read as {@code user}
     * the way {@code sluice tail} and {@code bulk} do: partitions assigned, no group. A committed transaction's
     * markers are written after the producer's commit returns, so the last stable offset is not a place to stop.
     */
    private static List<String> readUntil(String user, String topic, String wanted) {
        try (KafkaConsumer<String, String> consumer = consumer(user, null)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!values.contains(wanted) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }

    private static KafkaProducer<String, String> producer(String user, String transactionalId) {
        Properties properties = client(user);
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(WAIT.toMillis()));
        if (transactionalId != null) {
            properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String user, String group) {
        Properties properties = client(user);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(WAIT.toMillis()));
        if (group != null) {
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    private static Properties client(String user) {
        Map<String, String> config = new HashMap<>(USERS.clientConfig(user));
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Properties properties = new Properties();
        properties.putAll(config);
        return properties;
    }
}
