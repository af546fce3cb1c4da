package dev.sluice.embedded;

import dev.sluice.config.TopicSettings;
import dev.sluice.config.TopicSpec;
import dev.sluice.config.TopicSpecs;
import dev.sluice.config.Topics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka cluster (one combined broker and controller) inside this JVM, built with
 * Kafka's own cluster kit. Its log directories are temporary and removed on close. The node can be restarted on
 * the same log directories and ports, so clients ride through the outage on their own.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Kafka's minimum for SCRAM-SHA-256; more only slows every test login. */
    private static final int SCRAM_ITERATIONS = 4096;
    /** How long the broker may take to apply what its controller committed; milliseconds on one node. */
    private static final Duration METADATA_WAIT = Duration.ofSeconds(30);

    private final KafkaClusterTestKit cluster;
    /** How this class's own admin client reaches the client listener. */
    private final Map<String, String> adminConfig;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Map<String, String> adminConfig) {
        this.cluster = cluster;
        this.adminConfig = adminConfig;
    }

    /** A broker whose client listener is PLAINTEXT. */
    public static EmbeddedKafka start() {
        return start(Map.of(), Map.of());
    }

    /**
     * A broker whose client listener is SASL_SSL: TLS with {@code security}'s certificate, SASL/PLAIN with its one
     * user. The controller listener stays PLAINTEXT: only this JVM reaches it.
     */
    public static EmbeddedKafka start(SaslSsl security) {
        return start(security.brokerConfig(), security.internalClientConfig());
    }

    /**
     * A broker whose client listener is SASL_PLAINTEXT with SCRAM-SHA-256 and Kafka's {@code StandardAuthorizer}:
     * every user of {@code security} exists when this returns, and may do nothing until granted ACLs
     * ({@link #createAcls}).
     */
    public static EmbeddedKafka start(SaslScram security) {
        EmbeddedKafka kafka = start(security.brokerConfig(), security.internalClientConfig());
        try {
            kafka.createScramUsers(security.users());
            return kafka;
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    private static EmbeddedKafka start(Map<String, String> brokerConfig, Map<String, String> adminConfig) {
        KafkaClusterTestKit cluster = null;
        try {
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setCombined(true)
                    .build())
                    // One broker: internal topics cannot be replicated.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0");
            brokerConfig.forEach(builder::setConfigProp);
            cluster = builder.build();
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster, adminConfig);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new IllegalStateException("embedded Kafka did not start: " + e.getMessage(), e);
        }
    }

    /** Kafka's storage formatter prints to standard output; keep the CLI's output to its own. */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
    }

    /**
     * Stops the node, broker and controller, waits {@code down}, and starts it again on the same log directories
     * and listener ports; returns once the broker is registered and serving again. The kit binds every listener's
     * port when the cluster is built and binds that same port again when a stopped server starts, so
     * {@link #bootstrapServers()} does not change and clients reconnect to the restarted broker. Kafka's servers
     * may be started again after a shutdown: the state they share is rebuilt from the log directories.
     */
    public void restart(Duration down) {
        BrokerServer broker = cluster.brokers().values().iterator().next();
        ControllerServer controller = cluster.controllers().values().iterator().next();
        // The broker first: its controlled shutdown needs the controller. Startup in the reverse order, as a
        // KRaft server process does.
        broker.shutdown();
        controller.shutdown();
        try {
            Thread.sleep(down.toMillis());
            controller.startup();
            broker.startup();
            cluster.waitForReadyBrokers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting embedded Kafka", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("embedded Kafka did not restart", e.getCause());
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * The shared topics ({@link Topics#all()}) as {@link TopicSpecs} makes them: each but the catalog with
     * {@code partitions} partitions, all with this broker's single replica.
     */
    public void createPipelineTopics(Topics topics, int partitions) {
        createTopics(new TopicSpecs(topics, partitions, TopicSettings.ofDefaults()).shared());
    }

    /** Creates {@code tenant}'s own topics ({@code tenancy: topic}) as {@link TopicSpecs} makes them. */
    public void createTenantTopics(Topics topics, String tenant, int partitions) {
        createTopics(new TopicSpecs(topics, partitions, TopicSettings.ofDefaults()).tenant(tenant));
    }

    /** Creates the topics that do not exist yet, with {@code partitions} partitions each. */
    public void createTopics(List<String> names, int partitions) {
        createTopics(names.stream().map(name -> new TopicSpec(name, partitions, Optional.empty(), Map.of())).toList());
    }

    /**
     * Creates those of {@code specs} that do not exist yet, and returns once the broker serves them: a client that
     * asks for a topic's partitions a moment after the controller committed it is otherwise told it has none.
     */
    public void createTopics(List<TopicSpec> specs) {
        try (Admin admin = admin()) {
            for (TopicSpec spec : specs) {
                try {
                    admin.createTopics(List.of(spec.newTopic())).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + spec.name(), e.getCause());
                    }
                }
            }
            List<String> names = specs.stream().map(TopicSpec::name).toList();
            awaitBroker("topics", () -> admin.listTopics().names().get().containsAll(names));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * Grants {@code bindings}, as the broker's own super user, and returns once the broker enforces them: the
     * controller acknowledges ACLs when it has committed them, and the broker applies its metadata a moment later.
     */
    public void createAcls(Collection<AclBinding> bindings) {
        try (Admin admin = admin()) {
            admin.createAcls(bindings).all().get();
            awaitBroker("ACLs", () -> admin.describeAcls(AclBindingFilter.ANY).values().get()
                    .containsAll(bindings));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create ACLs", e.getCause());
        }
    }

    /** SCRAM-SHA-256 credentials for {@code users}, name to password, stored in the cluster metadata. */
    private void createScramUsers(Map<String, String> users) {
        List<UserScramCredentialAlteration> upserts = users.entrySet().stream()
                .<UserScramCredentialAlteration>map(user -> new UserScramCredentialUpsertion(user.getKey(),
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, SCRAM_ITERATIONS), user.getValue()))
                .toList();
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(upserts).all().get();
            awaitBroker("SCRAM users", () -> admin.describeUserScramCredentials().users().get()
                    .containsAll(users.keySet()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating SCRAM users", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create SCRAM users", e.getCause());
        }
    }

    /**
     * Waits until the broker's view, asked of the broker itself, shows a change the controller has committed, so
     * the caller's next request meets it.
     */
    private static void awaitBroker(String what, BrokerView applied)
            throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
        while (!applied.shows()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not apply the " + what + " within " + METADATA_WAIT);
            }
            Thread.sleep(20);
        }
    }

    /** Whether the broker's answer to an admin request shows a change yet. */
    private interface BrokerView {
        boolean shows() throws ExecutionException, InterruptedException;
    }

    /** An admin client as the broker's own identity (a super user where the listener authenticates). */
    private Admin admin() {
        Properties properties = new Properties();
        properties.putAll(adminConfig);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(properties);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka did not stop cleanly", e);
        }
    }
}
