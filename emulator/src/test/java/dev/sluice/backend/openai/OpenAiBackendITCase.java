package dev.sluice.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.CallCredentials;
import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.TransportSecurity;
import dev.sluice.backend.security.TestCertificates;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.emulator.openai.Dialect;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OpenAI-compatible backend against the emulator playing each of the six servers over loopback HTTP: one
 * backend, no settings but {@code server:}, for all of them.
 */
class OpenAiBackendITCase {

    private static final String MODEL = "served-llm";
    private static final List<ChatTurn> CHAT = List.of(new ChatTurn("system", "Answer briefly."),
            new ChatTurn("user", "What is the capital of Japan?"));
    private static final String SCHEMA = "{\"type\": \"object\", \"required\": [\"city\", \"population\"], "
            + "\"properties\": {\"city\": {\"type\": \"string\"}, \"population\": {\"type\": \"integer\", "
            + "\"minimum\": 0}}, \"additionalProperties\": false}";

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void eachServerAnswersChatsPromptsAndSchemas(Dialect dialect) throws Exception {
        OpenAiServer kind = OpenAiServer.valueOf(dialect.name());
        try (EmulatorServer server = emulator(dialect, 20); OpenAiBackend backend = backend(server, kind, false)) {
            backend.checkReady(Duration.ofSeconds(5));

            GenerationResult chat = generate(backend, new GenerationRequest("chat", "rendered elsewhere", 24, null,
                    null, null, List.of(), CHAT));
            GenerationResult prompt = generate(backend, GenerationRequest.of("prompt", "Once upon a time", 12));

            assertThat(chat.text()).isNotEmpty();
            assertThat(chat.completionTokens()).isBetween(1, 24);
            assertThat(chat.promptTokens()).isGreaterThan(5);
            assertThat(chat.firstTokenAtNanos()).isPositive();
            assertThat(chat.finishReason()).isIn("stop", "length");
            assertThat(prompt.text()).isNotEmpty();
            assertThat(prompt.completionTokens()).isBetween(1, 12);
            // vLLM lists the context it serves; trtllm-serve's listing has no such field.
            assertThat(backend.servedContext().isPresent()).isEqualTo(dialect == Dialect.VLLM);
            if (kind.honours(OutputConstraint.Kind.JSON_SCHEMA, kind == OpenAiServer.TRTLLM_SERVE)) {
                GenerationResult structured = generate(backend, new GenerationRequest("json", "p", 200, null, null,
                        null, List.of(), CHAT).withConstraint(new OutputConstraint(OutputConstraint.Kind.JSON_SCHEMA,
                        SCHEMA)));
                assertThat(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA)
                        .validate(new ObjectMapper().readTree(structured.text()))).as(structured.text()).isEmpty();
            }
        }
    }

    /** Ollama reports no cached tokens; vLLM (with prompt-token details) does, once a prefix is cached. */
    @Test
    void cachedTokensAreReadWhereTheServerReportsThem() {
        try (EmulatorServer vllm = emulator(Dialect.VLLM, 20); OpenAiBackend vllmBackend = backend(vllm,
                OpenAiServer.VLLM, false); EmulatorServer ollama = emulator(Dialect.OLLAMA, 20);
                OpenAiBackend ollamaBackend = backend(ollama, OpenAiServer.OLLAMA, false)) {
            GenerationRequest chat = new GenerationRequest("c", "p", 8, null, null, null, List.of(), CHAT);
            generate(vllmBackend, chat);
            generate(ollamaBackend, chat);

            assertThat(generate(vllmBackend, chat).cachedTokens()).isPositive();
            assertThat(generate(ollamaBackend, chat).cachedTokens()).isZero();
        }
    }

    /** TGI ends a stop string with stop_sequence; Sluice reads it as the model stopping. */
    @Test
    void aStopStringEndsTheAnswerOnTgi() {
        try (EmulatorServer server = emulator(Dialect.TGI, 20);
                OpenAiBackend backend = backend(server, OpenAiServer.TGI, false)) {
            GenerationResult full = generate(backend, new GenerationRequest("f", "p", 40, null, null, null,
                    List.of(), CHAT));
            String stop = full.text().substring(4, 7);
            GenerationResult stopped = generate(backend, new GenerationRequest("s", "p", 40, null, null, null,
                    List.of(stop), CHAT));

            assertThat(stopped.finishReason()).isEqualTo("stop");
            assertThat(stopped.text()).doesNotContain(stop).isEqualTo(full.text().substring(0, full.text().indexOf(stop)));
        }
    }

    @Test
    void vllmIsToldEachRequestsPriorityOnlyWhereItSchedulesByIt() {
        try (EmulatorServer server = emulator(Dialect.VLLM, 20);
                OpenAiBackend scheduling = backend(server, OpenAiServer.VLLM, true);
                OpenAiBackend plain = backend(server, OpenAiServer.VLLM, false)) {
            GenerationRequest request = new GenerationRequest("p", "p", 4, null, null, null, List.of(), CHAT);
            generate(scheduling, request.withInteractive(true));
            generate(scheduling, request);
            generate(scheduling, request);
            generate(plain, request.withInteractive(true));

            // Lower first on vLLM: interactive 0, batch 1; the plain deployment sent none.
            assertThat(server.openAiPriorities()).isEqualTo(Map.of(0, 1L, 1, 2L));
        }
    }

    @Test
    void anOverloadedServerSaysWhenToComeBackAndAnOutageIsRetryable() {
        try (EmulatorServer server = emulator(Dialect.VLLM, 20);
                OpenAiBackend backend = backend(server, OpenAiServer.VLLM, false)) {
            server.faults().errorEveryNth(1, Status.Code.RESOURCE_EXHAUSTED);
            assertThatThrownBy(() -> generate(backend, GenerationRequest.of("a", "p", 4)))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.isRetryable()).isTrue();
                        assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
                    });
            server.faults().clear();
            server.faults().unavailableFor(Duration.ofSeconds(5));
            assertThatThrownBy(() -> backend.checkReady(Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.isRetryable()).isTrue());
        }
    }

    @Test
    void aWrongServedNameOrTokenIsPermanentAndTheRightTokenPasses() {
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.OPENAI).dialect(Dialect.VLLM)
                .bearerToken("s3cret").model(EmulatedModel.sglang(MODEL, engine(20))).start()) {
            OpenAiBackend noToken = backend(server, OpenAiServer.VLLM, false);
            OpenAiBackend withToken = new OpenAiBackend(java.net.http.HttpClient.newHttpClient(), server.endpoint(),
                    false, new OpenAiOptions(MODEL, OpenAiServer.VLLM, Duration.ofSeconds(10), false),
                    Map.of("authorization", "Bearer s3cret"));
            OpenAiBackend wrongName = new OpenAiBackend(java.net.http.HttpClient.newHttpClient(), server.endpoint(),
                    false, new OpenAiOptions("other", OpenAiServer.VLLM, Duration.ofSeconds(10), false),
                    Map.of("authorization", "Bearer s3cret"));

            assertThatThrownBy(() -> noToken.checkReady(Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.isRetryable()).isFalse())
                    .hasMessageContaining("HTTP 401");
            withToken.checkReady(Duration.ofSeconds(2));
            assertThat(generate(withToken, GenerationRequest.of("a", "p", 4)).text()).isNotEmpty();
            assertThatThrownBy(() -> wrongName.checkReady(Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.isRetryable()).isFalse())
                    .hasMessageContaining("not 'other'");
        }
    }

    /** TLS from the deployment's PEM files: the server's certificate must chain to the deployment's CA. */
    @Test
    void tlsTrustsTheDeploymentsCaAndNothingElse(@TempDir Path directory) throws Exception {
        TestCertificates certificates = new TestCertificates(directory);
        TestCertificates strangers = new TestCertificates(Files.createDirectory(directory.resolve("other")));
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.OPENAI).dialect(Dialect.VLLM)
                .tls(certificates.serverCertificate.toFile(), certificates.serverKey.toFile(), null)
                .model(EmulatedModel.sglang(MODEL, engine(20))).start();
                OpenAiBackend trusting = backend(server, certificates.caCertificate);
                OpenAiBackend distrusting = backend(server, strangers.caCertificate)) {
            trusting.checkReady(Duration.ofSeconds(5));
            assertThat(generate(trusting, GenerationRequest.of("tls", "p", 4)).text()).isNotEmpty();
            assertThatThrownBy(() -> distrusting.checkReady(Duration.ofSeconds(5)))
                    .isInstanceOf(BackendException.class).hasMessageContaining("SSLHandshakeException");
        }
    }

    private static OpenAiBackend backend(EmulatorServer server, Path caCertificate) {
        return OpenAiBackend.open(new BackendSpec(Protocol.OPENAI, server.endpoint(), MODEL, 0, null, null, null,
                new TransportSecurity(caCertificate, null, null, null), CallCredentials.none(), Duration.ofSeconds(10),
                false, OpenAiServer.VLLM, false));
    }

    /** The request's own deadline bounds the whole stream, and cancelling closes it: the GPU stops on it. */
    @Test
    void aDeadlineEndsTheStreamAndCancellingStopsTheGeneration() throws Exception {
        InflightBatchingEngine slow = new InflightBatchingEngine(CostModel.llama8bH100(), 0.2);
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.OPENAI).dialect(Dialect.VLLM)
                .model(EmulatedModel.sglang(MODEL, slow)).start();
                OpenAiBackend backend = backend(server, OpenAiServer.VLLM, false)) {
            GenerationRequest late = GenerationRequest.of("late", "p", 2000)
                    .withDeadlineNanos(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300));
            long started = System.nanoTime();
            assertThatThrownBy(() -> generate(backend, late)).isInstanceOfSatisfying(BackendException.class,
                    e -> assertThat(e.isRetryable()).isTrue()).hasMessageContaining("ran out of time");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3_000);

            CompletableFuture<List<GenerationResult>> call = backend.generate(List.of(
                    GenerationRequest.of("cancelled", "p", 2000)));
            awaitRunning(slow, true);
            call.cancel(true);
            awaitRunning(slow, false);
            assertThat(slow.load().running()).isZero();
        }
    }

    private static void awaitRunning(InflightBatchingEngine engine, boolean running) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((engine.load().running() > 0) != running && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static GenerationResult generate(OpenAiBackend backend, GenerationRequest request) {
        try {
            return backend.generate(List.of(request)).join().get(0);
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    private static InflightBatchingEngine engine(double timeScale) {
        return new InflightBatchingEngine(CostModel.llama8bH100(), timeScale);
    }

    private static EmulatorServer emulator(Dialect dialect, double timeScale) {
        return EmulatorServer.builder().protocol(Protocol.OPENAI).dialect(dialect)
                .model(EmulatedModel.sglang(MODEL, engine(timeScale))).start();
    }

    private static OpenAiBackend backend(EmulatorServer server, OpenAiServer kind, boolean priority) {
        return OpenAiBackend.open(new BackendSpec(Protocol.OPENAI, server.endpoint(), MODEL, 0, null, null, null,
                null, CallCredentials.none(), Duration.ofSeconds(10), kind == OpenAiServer.TRTLLM_SERVE, kind,
                priority));
    }
}
