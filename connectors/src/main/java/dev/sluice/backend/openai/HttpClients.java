package dev.sluice.backend.openai;

import dev.sluice.backend.PemTls;
import dev.sluice.backend.TransportSecurity;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The JDK's {@link HttpClient} for one OpenAI-compatible server: pooled HTTP/1.1 connections in plaintext (the
 * servers run on uvicorn, Go's or llama.cpp's HTTP stacks, which do not speak cleartext HTTP/2), HTTP/2 where TLS
 * negotiates it, and TLS from the deployment's PEM files, read as the gRPC channels read them ({@link PemTls}). No
 * library is added: the JDK's client pools, streams and cancels, which is all a request here needs.
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
        // Trusts the deployment's CA alone; presents the client certificate for mutual TLS where one is set.
        return builder.version(HttpClient.Version.HTTP_2).sslContext(PemTls.context(security.caCertificate(),
                security.clientCertificate(), security.clientKey())).build();
    }
}
