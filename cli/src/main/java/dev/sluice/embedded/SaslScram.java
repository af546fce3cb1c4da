package dev.sluice.embedded;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A SASL_PLAINTEXT client listener for {@link EmbeddedKafka} where clients authenticate with SCRAM-SHA-256 and
 * Kafka's {@code StandardAuthorizer} decides what each may do: no ACL, no access. For loopback tests of ACLs, not
 * for traffic that leaves the machine (no TLS).
 *
 * <p>Only the broker's own identity is a super user. It logs in with SASL/PLAIN, on the client and the controller
 * listener alike, because the kit formats the cluster without SCRAM credentials, and a broker cannot authenticate
 * to itself with a SCRAM user that does not exist yet; the client users are created through the Admin API once
 * the broker runs ({@link EmbeddedKafka#start(SaslScram)}). The controller listener is SASL too, so no
 * unauthenticated connection reaches either listener.
 *
 * @param users SCRAM user name to password, every client principal ({@code User:<name>}) the test needs
 */
public record SaslScram(Map<String, String> users) {

    static final String MECHANISM = "SCRAM-SHA-256";
    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required";
    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required";
    /** The broker's identity on its own connections and its admin client's; never handed to a client user. */
    private static final String BROKER_USER = "embedded-broker";
    /** Per JVM: the broker's password does not outlive the process and is not shared with any client user. */
    private static final String BROKER_PASSWORD = UUID.randomUUID().toString();

    public SaslScram {
        users = Map.copyOf(Objects.requireNonNull(users, "users"));
        if (users.containsKey(BROKER_USER)) {
            throw new IllegalArgumentException(BROKER_USER + " is the broker's own identity");
        }
    }

    /**
     * Broker settings. The kit names the client listener {@code EXTERNAL} and keeps a protocol map set here, so
     * only the map changes; the inter-broker and controller mechanisms are PLAIN, the broker's own.
     */
    Map<String, String> brokerConfig() {
        String brokerLogin = PLAIN_LOGIN + option("username", BROKER_USER) + option("password", BROKER_PASSWORD)
                + option("user_" + BROKER_USER, BROKER_PASSWORD) + ";";
        return Map.ofEntries(
                Map.entry("listener.security.protocol.map", "EXTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"),
                Map.entry("sasl.enabled.mechanisms", "PLAIN," + MECHANISM),
                Map.entry("sasl.mechanism.inter.broker.protocol", "PLAIN"),
                Map.entry("sasl.mechanism.controller.protocol", "PLAIN"),
                // Only the broker reaches the controller listener: no SCRAM there.
                Map.entry("listener.name.controller.sasl.enabled.mechanisms", "PLAIN"),
                // username/password: the broker as a client of itself; user_NAME: the one PLAIN account accepted.
                Map.entry("listener.name.external.plain.sasl.jaas.config", brokerLogin),
                Map.entry("listener.name.controller.plain.sasl.jaas.config", brokerLogin),
                // SCRAM accounts live in the cluster metadata, so the server side names none.
                Map.entry("listener.name.external.scram-sha-256.sasl.jaas.config", SCRAM_LOGIN + ";"),
                Map.entry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                Map.entry("super.users", "User:" + BROKER_USER),
                Map.entry("allow.everyone.if.no.acl.found", "false"));
    }

    /** The embedded broker's own admin client, as the broker's identity: it may create users, topics and ACLs. */
    Map<String, String> internalClientConfig() {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config",
                PLAIN_LOGIN + option("username", BROKER_USER) + option("password", BROKER_PASSWORD) + ";");
    }

    /** Client settings that authenticate as {@code user}, one of {@link #users()}. */
    public Map<String, String> clientConfig(String user) {
        String password = users.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no SCRAM user " + user);
        }
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", SCRAM_LOGIN + option("username", user) + option("password", password) + ";");
    }

    private static String option(String key, String value) {
        return " " + key + "=\"" + value + "\"";
    }

    @Override
    public String toString() {
        return "SaslScram[users=" + users.keySet() + "]";
    }
}
