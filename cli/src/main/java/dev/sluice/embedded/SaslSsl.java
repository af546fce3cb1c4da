package dev.sluice.embedded;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A SASL_SSL client listener for {@link EmbeddedKafka}: TLS with a PEM certificate and key, SASL/PLAIN with one
 * user. The certificate must name {@code localhost}, the host the embedded broker advertises.
 *
 * @param caCertificate PEM of the CA that signed {@code certificate}; the broker trusts it when it connects to
 *     itself (the listener is also the inter-broker one)
 * @param certificate PEM of the broker's certificate
 * @param privateKey PEM of its unencrypted PKCS#8 key
 * @param username the one client user
 * @param password its password
 */
public record SaslSsl(String caCertificate, String certificate, String privateKey, String username, String password) {

    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required";
    /** The broker's own SASL identity on its inter-broker connections; never handed to clients. */
    private static final String BROKER_USER = "embedded-broker";
    /** Per JVM: the broker's password does not outlive the process and is not shared with any client user. */
    private static final String BROKER_PASSWORD = UUID.randomUUID().toString();

    public SaslSsl {
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /**
     * Broker settings. The kit names the client listener {@code EXTERNAL} and puts the listener ports in
     * {@code listeners} itself; it keeps a protocol map set here, so only the map changes.
     */
    Map<String, String> brokerConfig() {
        return Map.of(
                "listener.security.protocol.map", "EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms", "PLAIN",
                "sasl.mechanism.inter.broker.protocol", "PLAIN",
                // username/password: the broker as a client of itself; user_NAME: the accounts it accepts.
                "listener.name.external.plain.sasl.jaas.config", PLAIN_LOGIN
                        + option("username", BROKER_USER) + option("password", BROKER_PASSWORD)
                        + option("user_" + BROKER_USER, BROKER_PASSWORD) + option("user_" + username, password) + ";",
                "ssl.keystore.type", "PEM",
                "ssl.keystore.certificate.chain", certificate,
                "ssl.keystore.key", privateKey,
                "ssl.truststore.type", "PEM",
                "ssl.truststore.certificates", caCertificate);
    }

    /** The embedded broker's own admin client, as the broker's identity. */
    Map<String, String> internalClientConfig() {
        return Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config",
                PLAIN_LOGIN + option("username", BROKER_USER) + option("password", BROKER_PASSWORD) + ";",
                "ssl.truststore.type", "PEM",
                "ssl.truststore.certificates", caCertificate);
    }

    private static String option(String key, String value) {
        return " " + key + "=\"" + value + "\"";
    }

    @Override
    public String toString() {
        return "SaslSsl[username=" + username + "]";
    }
}
