package dev.sluice.emulator.openai;

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

/** The JDK TLS context of a server, from the PEM files the gRPC emulators take: a certificate chain and a key. */
final class ServerTls {

    private ServerTls() {}

    static SSLContext context(Path certificateChain, Path privateKey) {
        try (InputStream chainIn = Files.newInputStream(certificateChain);
                InputStream keyIn = Files.newInputStream(privateKey)) {
            X509Certificate[] chain = CertificateUtils.getX509Certificates(chainIn);
            PrivateKey key = CertificateUtils.getPrivateKey(keyIn);
            char[] noPassword = new char[0];
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setKeyEntry("server", key, noPassword, chain);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, noPassword);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the emulator's TLS files", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the emulator's TLS files hold no usable certificate and key", e);
        }
    }
}
