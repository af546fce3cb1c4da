package dev.sluice.backend.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.CallCredentials;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.TransportSecurity;
import dev.sluice.backend.triton.TritonBackend;
import dev.sluice.backend.triton.TritonModelOptions;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS and bearer-token auth to an emulated Triton server, with certificates made for the test. */
class SecureChannelITCase {

    private static final String TOKEN = "s3cret-token-do-not-log";

    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static EmulatorServer server;

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCertificates(dir);
        server = EmulatorServer.builder()
                .model(EmulatedModel.ensemble("ensemble", new InflightBatchingEngine(CostModel.llama8bH100(), 20), 8))
                .tls(certs.serverCertificate.toFile(), certs.serverKey.toFile(), certs.caCertificate.toFile())
                .bearerToken(TOKEN)
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String call(TransportSecurity security, CallCredentials credentials) {
        ManagedChannel channel = GrpcChannels.open(server.endpoint(), security, credentials);
        try {
            TritonBackend backend = new TritonBackend(channel, server.endpoint(), TritonModelOptions.ofDefaults("ensemble"));
            backend.checkReady(Duration.ofSeconds(10));
            return backend.generate(List.of(GenerationRequest.of("t", "secure hello", 4))).join().get(0).text();
        } finally {
            GrpcChannels.close(channel);
        }
    }

    private static CallCredentials tokenFile(String token) throws Exception {
        Path file = Files.writeString(dir.resolve("token-" + token.length()), token + "\n");
        return new CallCredentials(null, file, Map.of());
    }

    @Test
    void mutualTlsWithTheRightTokenIsServed() throws Exception {
        TransportSecurity mtls = new TransportSecurity(certs.caCertificate, certs.clientCertificate, certs.clientKey,
                null);

        assertThat(call(mtls, tokenFile(TOKEN))).isNotEmpty();
    }

    @Test
    void aClientWithoutItsCertificateIsRefused() {
        TransportSecurity serverOnly = new TransportSecurity(certs.caCertificate, null, null, null);

        assertThatThrownBy(() -> call(serverOnly, tokenFile(TOKEN))).isInstanceOf(BackendException.class)
                .hasMessageContaining("UNAVAILABLE");
    }

    @Test
    void aPlaintextClientIsRefused() {
        assertThatThrownBy(() -> call(TransportSecurity.plaintext(), tokenFile(TOKEN)))
                .isInstanceOf(BackendException.class);
    }

    @Test
    void aWrongTokenIsRefusedAndNoTokenEverAppearsInMessages() throws Exception {
        TransportSecurity mtls = new TransportSecurity(certs.caCertificate, certs.clientCertificate, certs.clientKey,
                null);
        CallCredentials right = tokenFile(TOKEN);

        assertThatThrownBy(() -> call(mtls, tokenFile("wrong-token")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.getMessage()).contains("UNAUTHENTICATED").doesNotContain("wrong-token");
                    assertThat(e.isRetryable()).isFalse();
                });
        assertThat(right.toString()).doesNotContain(TOKEN).contains("file:");
        assertThat(right.resolve().get("authorization")).isEqualTo("Bearer " + TOKEN);
    }
}
