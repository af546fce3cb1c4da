package dev.sluice.backend.security;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA with a server certificate for loopback ({@code 127.0.0.1} and {@code localhost}) and a client
 * certificate, as PEM files. Public for other modules' tests (the SASL_SSL broker of {@code flink-jobs}).
 */
public final class TestCertificates {

    public final Path caCertificate;
    public final Path serverCertificate;
    public final Path serverKey;
    public final Path clientCertificate;
    public final Path clientKey;

    public TestCertificates(Path directory) throws Exception {
        KeyPair ca = keyPair();
        X509Certificate caCert = certificate("CN=Sluice test CA", ca, "CN=Sluice test CA", ca.getPrivate(), true, false);
        KeyPair server = keyPair();
        X509Certificate serverCert = certificate("CN=127.0.0.1", server, "CN=Sluice test CA", ca.getPrivate(), false,
                true);
        KeyPair client = keyPair();
        X509Certificate clientCert = certificate("CN=sluice-client", client, "CN=Sluice test CA", ca.getPrivate(),
                false, false);
        caCertificate = pem(directory.resolve("ca.pem"), caCert);
        serverCertificate = pem(directory.resolve("server.pem"), serverCert);
        serverKey = key(directory.resolve("server.key"), server.getPrivate());
        clientCertificate = pem(directory.resolve("client.pem"), clientCert);
        clientKey = key(directory.resolve("client.key"), client.getPrivate());
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair keys, String issuer, PrivateKey signer,
            boolean ca, boolean loopbackNames) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject), keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (loopbackNames) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    }

    private static Path pem(Path file, Object object) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(writer)) {
            pem.writeObject(object);
        }
        return file;
    }

    private static Path key(Path file, PrivateKey key) throws IOException {
        return pem(file, new JcaPKCS8Generator(key, null));
    }
}
