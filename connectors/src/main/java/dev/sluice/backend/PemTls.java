package dev.sluice.backend;

import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A JDK {@link SSLContext} from the PEM files Sluice's TLS settings name, for what speaks HTTP rather than gRPC (the
 * OpenAI-compatible backend and its emulator). The PEM reading is grpc-util's {@link CertificateUtils}, the same
 * code the gRPC channels' TLS rests on, so the two read the same files the same way.
 */
public final class PemTls {

    private PemTls() {}

    /**
     * @param trustedCa the CA a peer's certificate must chain to; null for the JDK's default trust
     * @param chain this side's certificate chain; null to present none
     * @param key its PKCS#8 key (RSA or EC); null when {@code chain} is
     */
    public static SSLContext context(Path trustedCa, Path chain, Path key) {
        try {
            TrustManagerFactory trust = null;
            if (trustedCa != null) {
                KeyStore trusted = emptyStore();
                X509Certificate[] cas = certificates(trustedCa);
                for (int i = 0; i < cas.length; i++) {
                    trusted.setCertificateEntry("ca-" + i, cas[i]);
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trusted);
            }
            KeyManagerFactory keys = null;
            if (chain != null) {
                KeyStore identity = emptyStore();
                char[] none = new char[0];
                identity.setKeyEntry("identity", privateKey(key), none, certificates(chain));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(identity, none);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the TLS files hold no usable certificate and key: " + e.getMessage(),
                    e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return store;
    }

    private static X509Certificate[] certificates(Path pem) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateUtils.getX509Certificates(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the certificates " + pem, e);
        }
    }

    private static PrivateKey privateKey(Path pem) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateUtils.getPrivateKey(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key " + pem, e);
        }
    }
}
