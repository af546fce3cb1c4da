package dev.sluice.backend.openai;

import dev.sluice.backend.TransportSecurity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK's {@link HttpClient} for one OpenAI-compatible server: pooled HTTP/1.1 connections in plaintext (the
 * servers run on uvicorn, Go's or llama.cpp's HTTP stacks, which do not speak cleartext HTTP/2), HTTP/2 where TLS
 * negotiates it, and TLS from the deployment's PEM files, as the gRPC channels take them. No library is added: the
 * JDK's client pools, streams and cancels, which is all a request here needs.
 */
final class HttpClients {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private HttpClients() {}

    static HttpClient open(TransportSecurity security) {
        if (security.authority() != null) {
            // The JDK's client checks the certificate against the URI's host and has no override.
            throw new IllegalArgumentException("an openai deployment cannot set tls.authority: name the server by"
                    + " the host its certificate holds");
        }
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (!security.isTls()) {
            return builder.version(HttpClient.Version.HTTP_1_1).build();
        }
        return builder.version(HttpClient.Version.HTTP_2).sslContext(sslContext(security)).build();
    }

    /** Trusts the deployment's CA alone; presents the client certificate for mutual TLS where one is set. */
    private static SSLContext sslContext(TransportSecurity security) {
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int index = 0;
            for (Certificate ca : certificates(x509, security.caCertificate())) {
                trusted.setCertificateEntry("ca-" + index++, ca);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            KeyManagerFactory keys = null;
            if (security.clientCertificate() != null) {
                KeyStore identity = KeyStore.getInstance(KeyStore.getDefaultType());
                identity.load(null, null);
                char[] none = new char[0];
                identity.setKeyEntry("client", privateKey(security.clientKey()), none,
                        certificates(x509, security.clientCertificate()).toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(identity, none);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS from " + security, e);
        }
    }

    private static Collection<? extends Certificate> certificates(CertificateFactory x509, Path pem)
            throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return x509.generateCertificates(in);
        }
    }

    /** A PKCS#8 PEM key, RSA or EC, as the gRPC channels take it. */
    private static PrivateKey privateKey(Path pem) throws GeneralSecurityException {
        String text;
        try {
            text = Files.readString(pem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the client key " + pem, e);
        }
        byte[] der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (InvalidKeySpecException notRsa) {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        }
    }
}
