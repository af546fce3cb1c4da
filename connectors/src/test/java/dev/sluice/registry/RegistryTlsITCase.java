package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.backend.security.TestCertificates;
import dev.sluice.schema.PromptRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SchemaRegistryClient} over HTTPS to a registry whose certificate a private CA signed. */
class RegistryTlsITCase {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    private static Path trustStore;
    private static StubRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        Certificate ca = certificate(certificates.caCertificate);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", ca);
        trustStore = dir.resolve("truststore.p12");
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trusted.store(out, PASSWORD);
        }
        registry = new StubRegistry(serverTls(certificates, ca));
        registry.on("POST", "/subjects/t-value/versions", StubRegistry.json(200, "{\"id\":1}"));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void theTrustStoresCaVouchesForTheRegistry() {
        SchemaRegistryClient client = new SchemaRegistryClient(RegistrySettings.builder(registry.url())
                .trustStore(trustStore.toString(), "changeit", "PKCS12").build());

        assertThat(client.register("t-value", PromptRequest.getClassSchema())).isEqualTo(1);
    }

    @Test
    void withoutItTheHandshakeFailsAndRetryingWouldNotHelp() {
        SchemaRegistryClient client = new SchemaRegistryClient(RegistrySettings.builder(registry.url()).build());

        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> client.register("t-value", PromptRequest.getClassSchema()));

        assertThat(e.getMessage()).startsWith("POST " + registry.url() + "/subjects/t-value/versions: TLS failed:");
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void anUnreadableTrustStoreIsNamedWithoutItsPassword() {
        SchemaRegistryClient client = new SchemaRegistryClient(RegistrySettings.builder(registry.url())
                .trustStore(dir.resolve("absent.p12").toString(), "s3cret", null).build());

        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> client.register("t-value", PromptRequest.getClassSchema()));

        assertThat(e.getMessage()).startsWith("cannot read the registry trust store TrustStore[path="
                + dir.resolve("absent.p12") + ", type=PKCS12]").doesNotContain("s3cret");
        assertThat(e.isRetryable()).isFalse();
    }

    private static SSLContext serverTls(TestCertificates certificates, Certificate ca) throws Exception {
        String pem = Files.readString(certificates.serverKey).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", key, PASSWORD,
                new Certificate[] {certificate(certificates.serverCertificate), ca});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    private static Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
