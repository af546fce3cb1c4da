package dev.sluice.emulator.openai;

import static dev.sluice.emulator.openai.RunningEmulator.chat;
import static dev.sluice.emulator.openai.RunningEmulator.dataEvents;
import static dev.sluice.emulator.openai.RunningEmulator.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.security.TestCertificates;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedText;
import dev.sluice.emulator.InflightBatchingEngine;
import io.grpc.Status;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults over HTTP, clients that leave, and TLS. */
class OpenAiFaultsTest {

    private static final String QUESTION = "Summarise the batch results, please.";

    @Test
    void anOverloadedServerAnswers429WithRetryAfterInTheDialectsErrorShape() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.VLLM)) {
            emulator.faults.errorEveryNth(1, Status.Code.RESOURCE_EXHAUSTED);
            HttpResponse<String> refused = emulator.post("/v1/chat/completions", chat(QUESTION, ""));
            emulator.faults.clear();
            HttpResponse<String> served = emulator.post("/v1/chat/completions", chat(QUESTION, ""));

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            assertThat(json(refused.body()).path("error").path("code").asInt()).isEqualTo(429);
            assertThat(served.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anOutageAnswers503OnEveryRouteWithoutRetryAfter() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.LLAMA_CPP)) {
            emulator.faults.unavailableFor(Duration.ofMinutes(1));

            HttpResponse<String> completion = emulator.post("/v1/chat/completions", chat(QUESTION, ""));
            assertThat(completion.statusCode()).isEqualTo(503);
            assertThat(completion.headers().firstValue("Retry-After")).isEmpty();
            assertThat(json(completion.body()).path("error").path("type").asText()).isEqualTo("unavailable_error");
            assertThat(emulator.get("/v1/models").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void aDroppedStreamEndsWithAnErrorEventAndNoDone() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.VLLM)) {
            emulator.faults.dropStreamsAfterTokens(2);

            List<String> events = dataEvents(emulator.post("/v1/chat/completions", chat(QUESTION,
                    "\"stream\": true")).body());

            assertThat(events).doesNotContain("[DONE]");
            assertThat(json(events.get(events.size() - 1)).path("error").path("code").asInt()).isEqualTo(503);
        }
    }

    @Test
    void aClientLeavingAStreamCancelsItsSequenceOnTheGpu() throws Exception {
        try (RunningEmulator emulator = slowEmulator()) {
            leaveAfterTheFirstEvent(emulator);

            awaitIdle(emulator.engine);
            assertThat(emulator.engine.stats().finishedSequences()).isZero();
            assertThat(emulator.engine.stats().outputTokens()).isZero();
        }
    }

    @Test
    void aServerIgnoringCancellationGeneratesOnForNobody() throws Exception {
        try (RunningEmulator emulator = slowEmulator()) {
            emulator.faults.ignoreCancellation(true);
            leaveAfterTheFirstEvent(emulator);

            awaitIdle(emulator.engine);
            assertThat(emulator.engine.stats().finishedSequences()).isEqualTo(1);
            assertThat(emulator.engine.stats().abandonedTokens()).isPositive();
        }
    }

    /** Steps of 20 ms wall time, so a stream of tens of tokens outlasts its client by far. */
    private static RunningEmulator slowEmulator() {
        return new RunningEmulator(OpenAiEmulator.Options.of(Dialect.VLLM),
                new InflightBatchingEngine(CostModel.llama8bH100(), 0.2));
    }

    /** Opens a stream of a long completion on a raw socket, reads its first event, and hangs up. */
    private static void leaveAfterTheFirstEvent(RunningEmulator emulator) throws Exception {
        String prompt = IntStream.range(0, 1000).mapToObj(i -> "Tell story " + i)
                .filter(p -> EmulatedText.naturalLength(p) >= 40).findFirst().orElseThrow();
        byte[] body = ("{\"model\": \"" + RunningEmulator.MODEL + "\", \"prompt\": \"" + prompt
                + "\", \"max_tokens\": 64, \"stream\": true}").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", emulator.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.startsWith("data: "));
            assertThat(line).as("the first event").isNotNull();
        }
    }

    private static void awaitIdle(InflightBatchingEngine engine) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (engine.load().running() + engine.load().waiting() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(engine.load().running() + engine.load().waiting()).isZero();
    }

    @Test
    void tlsServesHttpsWithThePemFiles(@TempDir Path directory) throws Exception {
        TestCertificates certificates = new TestCertificates(directory);
        try (RunningEmulator emulator = new RunningEmulator(OpenAiEmulator.Options.of(Dialect.VLLM)
                .withTls(new OpenAiEmulator.TlsFiles(certificates.serverCertificate, certificates.serverKey)))) {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(certificates.caCertificate)).build();

            HttpResponse<String> models = client.send(HttpRequest.newBuilder(
                    URI.create(emulator.server.baseUrl() + "/models")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(emulator.server.baseUrl().getScheme()).isEqualTo("https");
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(json(models.body()).path("data").get(0).path("id").asText()).isEqualTo(RunningEmulator.MODEL);
        }
    }

    private static SSLContext trusting(Path caCertificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
