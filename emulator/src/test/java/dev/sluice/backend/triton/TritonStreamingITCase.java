package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.GrpcErrors;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.backend.triton.TritonModelOptions.Streaming;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decoupled TensorRT-LLM models over {@code ModelStreamInfer}, against the emulator over a loopback socket. */
class TritonStreamingITCase {

    private static final ModelTokenizer TOKENIZER = ModelTokenizer.bundled();
    private static EmulatorServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void startServer() {
        server = EmulatorServer.builder()
                .model(EmulatedModel.ensemble("streaming", engine(), 8).withDecoupled(true))
                .model(new EmulatedModel("llmapi", engine(), 0, EmulatedModel.TritonTensorProfile.LLM_API, true, null))
                .model(EmulatedModel.ensemble("plain", engine(), 8))
                .start();
        channel = GrpcChannels.plaintext(server.endpoint());
    }

    private static InflightBatchingEngine engine() {
        return new InflightBatchingEngine(CostModel.llama8bH100(), 20);
    }

    @AfterEach
    void clearFaults() {
        server.faults().clear();
    }

    @AfterAll
    static void stopServer() {
        GrpcChannels.close(channel);
        server.close();
    }

    private static TritonBackend backend(String model, TritonTensorNames names, Streaming streaming) {
        TritonBackend backend = new TritonBackend(channel, server.endpoint(),
                new TritonModelOptions(model, "", names, 8, streaming, Duration.ofSeconds(10)));
        backend.checkReady(Duration.ofSeconds(10));
        return backend;
    }

    @Test
    void aDecoupledModelIsStreamedAndItsJapaneseReassembledFromSplitBytes() {
        TritonBackend backend = backend("streaming", TritonTensorNames.ensemble(), Streaming.AUTO);
        String prompt = "次の文章を日本語で要約してください。";
        EmulatedCompletion expected = EmulatedCompletion.of(TOKENIZER, prompt, 64);
        // The emulator cuts the UTF-8 bytes into one run per token, and there are more tokens than characters:
        // runs end inside characters.
        assertThat(expected.tokens()).isGreaterThan(expected.text().length());

        long sent = System.nanoTime();
        GenerationResult result = backend.generate(List.of(GenerationRequest.of("ja-1", prompt, 64))).join().get(0);
        long done = System.nanoTime();

        assertThat(result.text()).isEqualTo(expected.text()).doesNotContain("\uFFFD");
        assertThat(result.completionTokens()).isEqualTo(expected.tokens());
        assertThat(result.firstTokenAtNanos()).isBetween(sent, done);
        assertThat(result.finishReason()).isEqualTo("stop");
    }

    @Test
    void manyRequestsShareOneStreamAndComeBackToTheirCallers() {
        TritonBackend backend = backend("streaming", TritonTensorNames.ensemble(), Streaming.AUTO);
        List<CompletableFuture<List<GenerationResult>>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // The same id twice: correlation must not rely on request ids being unique.
            calls.add(backend.generate(List.of(GenerationRequest.of("dup", "prompt " + i, 48))));
        }
        for (int i = 0; i < 12; i++) {
            assertThat(calls.get(i).join().get(0).text())
                    .isEqualTo(EmulatedCompletion.of(TOKENIZER, "prompt " + i, 48).text());
        }
    }

    @Test
    void theLlmApiModelHasNoBatchDimensionAndReportsItsFinishReason() {
        TritonBackend backend = backend("llmapi", TritonTensorNames.llmApi(), Streaming.AUTO);

        GenerationResult result = backend.generate(List.of(GenerationRequest.of("l", "a long answer please", 3)))
                .join().get(0);

        assertThat(result.finishReason()).isEqualTo("length");
        assertThat(result.text()).isEqualTo(EmulatedCompletion.of(TOKENIZER, "a long answer please", 3).text());
    }

    @Test
    void unaryCallsToADecoupledModelAreRefusedAtStartupWithAHint() {
        TritonBackend backend = new TritonBackend(channel, server.endpoint(), new TritonModelOptions("streaming", "",
                TritonTensorNames.ensemble(), 8, Streaming.OFF, Duration.ofSeconds(10)));

        assertThatThrownBy(() -> backend.checkReady(Duration.ofSeconds(10))).isInstanceOf(BackendException.class)
                .hasMessageContaining("is decoupled").hasMessageContaining("set streaming to auto or on");

        ModelInferRequest unary = ModelInferRequest.newBuilder().setModelName("streaming").build();
        assertThatThrownBy(() -> GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(unary))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                    BackendException classified = GrpcErrors.classify("h:1", e);
                    assertThat(classified.isRetryable()).isFalse();
                    assertThat(classified.getMessage())
                            .contains("ModelInfer RPC doesn't support models with decoupled transaction policy")
                            .contains("ModelStreamInfer");
                });
    }

    @Test
    void aRequestTheModelRejectsFailsAloneAndTheStreamCarriesOn() {
        TritonBackend backend = backend("streaming", TritonTensorNames.ensemble(), Streaming.AUTO);
        GenerationRequest tooLong = GenerationRequest.of("long", "x".repeat(9000), 16);
        GenerationRequest fine = GenerationRequest.of("fine", "fine prompt", 16);

        CompletableFuture<List<GenerationResult>> refused = backend.generate(List.of(tooLong));
        CompletableFuture<List<GenerationResult>> served = backend.generate(List.of(fine));

        assertThatThrownBy(refused::join).cause().isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.getMessage()).contains("exceeds maximum input length");
            assertThat(e.isRetryable()).isFalse();
        });
        assertThat(served.join().get(0).text()).isEqualTo(EmulatedCompletion.of(TOKENIZER, "fine prompt", 16).text());
    }

    @Test
    void streamingFromANonDecoupledModelIsRefusedAtStartup() {
        TritonBackend backend = new TritonBackend(channel, server.endpoint(), new TritonModelOptions("plain", "",
                TritonTensorNames.ensemble(), 8, Streaming.ON, Duration.ofSeconds(10)));

        // Triton would answer every streamed request with "Streaming is only supported if model is deployed using
        // decoupled mode"; the backend says so once, at start.
        assertThatThrownBy(() -> backend.checkReady(Duration.ofSeconds(10))).isInstanceOf(BackendException.class)
                .hasMessageContaining("is not decoupled").hasMessageContaining("set streaming to auto or off");
    }

    @Test
    void aStreamCutOffMidwayFailsItsRequestsInsteadOfFinishingThem() {
        TritonBackend backend = backend("streaming", TritonTensorNames.ensemble(), Streaming.AUTO);
        server.faults().dropStreamsAfterTokens(3);

        assertThatThrownBy(() -> backend.generate(List.of(GenerationRequest.of("cut", "tell me a long story", 64)))
                .join())
                .cause().isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.getMessage()).contains("stream dropped");
                });

        server.faults().clear();
        // The next request opens a new stream.
        assertThat(backend.generate(List.of(GenerationRequest.of("again", "tell me a long story", 8))).join())
                .singleElement().satisfies(r -> assertThat(r.completionTokens()).isEqualTo(8));
    }

    @Test
    void injectedOutagesAndErrorsReachTheCallerClassified() {
        TritonBackend backend = backend("plain", TritonTensorNames.ensemble(), Streaming.AUTO);
        server.faults().unavailableFor(Duration.ofMillis(300));

        assertThatThrownBy(() -> backend.generate(List.of(GenerationRequest.of("u", "x", 4))).join())
                .cause().isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.isRetryable()).isTrue());

        server.faults().clear();
        server.faults().errorEveryNth(2);
        int failed = 0;
        for (int i = 0; i < 4; i++) {
            try {
                backend.generate(List.of(GenerationRequest.of("e" + i, "x", 4))).join();
            } catch (CompletionException e) {
                assertThat(((BackendException) e.getCause()).isRetryable()).isFalse();
                assertThat(e.getCause()).hasMessageContaining("INTERNAL");
                failed++;
            }
        }
        assertThat(failed).isEqualTo(2);
    }
}
