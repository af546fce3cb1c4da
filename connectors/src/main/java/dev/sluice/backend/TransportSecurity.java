package dev.sluice.backend;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * TLS to a server, from PEM files. No files: plaintext. A CA alone: TLS checking the server against it.
 * A client certificate and key as well: mutual TLS.
 *
 * @param caCertificate CA that signed the server's certificate; null for plaintext
 * @param clientCertificate this client's certificate chain, or null
 * @param clientKey this client's private key (PKCS#8), or null
 * @param authority the name to expect in the server's certificate when it differs from the endpoint's host
 */
public record TransportSecurity(Path caCertificate, Path clientCertificate, Path clientKey, String authority)
        implements Serializable {

    public TransportSecurity {
        if ((clientCertificate == null) != (clientKey == null)) {
            throw new IllegalArgumentException("mutual TLS needs both a client certificate and its key");
        }
        if (clientCertificate != null && caCertificate == null) {
            throw new IllegalArgumentException("mutual TLS needs the server's CA certificate too");
        }
    }

    public static TransportSecurity plaintext() {
        return new TransportSecurity(null, null, null, null);
    }

    public boolean isTls() {
        return caCertificate != null;
    }
}
