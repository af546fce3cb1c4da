package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.backend.triton.TritonModelOptions.Streaming;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.proto.health.HealthCheckRequest;
import dev.sluice.proto.health.HealthCheckResponse;
import dev.sluice.proto.health.HealthGrpc;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.ModelInferRequest.InferInputTensor;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferResponse;
import dev.sluice.proto.triton.ModelStatistics;
import dev.sluice.proto.triton.ModelStatisticsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link TritonBackend} against the emulator over a real loopback socket. */
class TritonBackendITCase {

    private static final String MODEL = "ensemble";
    private static final ModelTokenizer TOKENIZER = ModelTokenizer.bundled();
    private static EmulatorServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void startServer() {
        EmulatedModel model = EmulatedModel.ensemble(MODEL, new InflightBatchingEngine(CostModel.llama8bH100(), 20), 8);
        server = EmulatorServer.startTriton("127.0.0.1", 0, Map.of(MODEL, model));
        channel = GrpcChannels.plaintext(server.endpoint());
    }

    @AfterAll
    static void stopServer() {
        GrpcChannels.close(channel);
        server.close();
    }

    private TritonBackend backend(TritonTensorNames names) {
        TritonBackend backend = new TritonBackend(channel, server.endpoint(),
                new TritonModelOptions(MODEL, "", names, 8, Streaming.AUTO, Duration.ofSeconds(10)));
        backend.checkReady(Duration.ofSeconds(10));
        return backend;
    }

    @Test
    void severalPromptsTravelInOneModelInferAndComeBackInOrder() {
        TritonBackend backend = backend(TritonTensorNames.ensemble());
        long executionsBefore = statistics().getExecutionCount();
        List<GenerationRequest> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(GenerationRequest.of("r" + i, "prompt number " + i, 1000));
        }

        List<GenerationResult> results = backend.generate(batch).join();

        assertThat(results).extracting(GenerationResult::id).containsExactly("r0", "r1", "r2", "r3", "r4");
        for (int i = 0; i < 5; i++) {
            GenerationResult result = results.get(i);
            String prompt = batch.get(i).prompt();
            EmulatedCompletion expected = EmulatedCompletion.of(TOKENIZER, prompt, 1000);
            assertThat(result.batchSize()).isEqualTo(5);
            assertThat(result.completionTokens()).isEqualTo(expected.tokens());
            assertThat(result.promptTokens()).isEqualTo(TOKENIZER.encode(prompt).length);
            // exclude_input_in_output was sent: the text is the completion alone.
            assertThat(result.text()).isEqualTo(expected.text());
            assertThat(result.finishReason()).isEqualTo("stop");
            assertThat(result.firstTokenAtNanos()).isZero();
        }
        assertThat(statistics().getExecutionCount() - executionsBefore).isEqualTo(1);
    }

    /** A guide rides beside its prompt: in one call, the constrained prompts come back as JSON valid against it. */
    @Test
    void aGuidedEnsembleAnswersASchemaWithJsonValidAgainstIt() throws Exception {
        String schema = "{\"type\": \"object\", \"required\": [\"city\"], \"properties\": {\"city\": "
                + "{\"type\": \"string\", \"minLength\": 2}, \"nights\": {\"type\": \"integer\"}}}";
        OutputConstraint json = new OutputConstraint(OutputConstraint.Kind.JSON_SCHEMA, schema);
        List<GenerationRequest> batch = List.of(GenerationRequest.of("a", "Extract: two nights in Kyoto", 400)
                .withConstraint(json), GenerationRequest.of("b", "Extract: a week in Osaka", 400).withConstraint(json));
        Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema);

        List<GenerationResult> results = backend(TritonTensorNames.ensemble()).generate(batch).join();

        assertThat(results).hasSize(2).allSatisfy(result -> {
            assertThat(result.batchSize()).isEqualTo(2);
            assertThat(validator.validate(new ObjectMapper().readTree(result.text()))).isEmpty();
        });
    }

    @Test
    void japaneseTextSurvivesBytesEncodingBothWays() {
        String prompt = "次の文章を要約してください：今日は晴れです。";
        GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        // Without exclude_input_in_output the ensemble echoes the prompt: what comes back starts with what was sent.
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(MODEL)
                .addInputs(InferInputTensor.newBuilder().setName("text_input").setDatatype("BYTES")
                        .addShape(1).addShape(1))
                .addRawInputContents(TritonTensors.encodeStrings(List.of(prompt)))
                .addInputs(InferInputTensor.newBuilder().setName("max_tokens").setDatatype("INT32")
                        .addShape(1).addShape(1))
                .addRawInputContents(TritonTensors.encodeInts(new int[] {4}))
                .build();

        ModelInferResponse response = stub.modelInfer(request);

        String text = TritonTensors.decodeStrings(response.getRawOutputContents(
                response.getOutputsList().stream().map(o -> o.getName()).toList().indexOf("text_output"))).get(0);
        assertThat(text).isEqualTo(prompt + EmulatedCompletion.of(TOKENIZER, prompt, 4).text());
        assertThat(text.substring(prompt.length())).matches("\\P{IsLatin}+");
    }

    @Test
    void completionsCutAtMaxTokensEndWithLength() {
        GenerationResult result = backend(TritonTensorNames.ensemble())
                .generate(List.of(GenerationRequest.of("short", "a prompt with a long answer", 2))).join().get(0);

        assertThat(result.completionTokens()).isEqualTo(2);
        assertThat(result.finishReason()).isEqualTo("length");
    }

    @Test
    void startupFailsWithAClearMessageWhenATensorIsMissing() {
        // The LLM-API model's names against an ensemble: the token limit is called max_tokens there.
        TritonBackend backend = new TritonBackend(channel, server.endpoint(),
                new TritonModelOptions(MODEL, "", TritonTensorNames.llmApi(), 8, Streaming.AUTO, Duration.ofSeconds(10)));

        assertThatThrownBy(() -> backend.checkReady(Duration.ofSeconds(10)))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("has no input tensor 'sampling_param_max_tokens'")
                .hasMessageContaining("max_tokens")
                .satisfies(e -> assertThat(((BackendException) e).isRetryable()).isFalse());
    }

    @Test
    void anUnknownModelIsAPermanentFailure() {
        TritonBackend backend = new TritonBackend(channel, server.endpoint(),
                TritonModelOptions.ofDefaults("no_such_model"));

        assertThatThrownBy(() -> backend.checkReady(Duration.ofSeconds(10)))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("not ready")
                .satisfies(e -> assertThat(((BackendException) e).isRetryable()).isTrue());
        assertThatThrownBy(() -> GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("no_such_model").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void mixingRawAndTypedInputsIsRejectedAsTritonDoes() {
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(MODEL)
                .addInputs(InferInputTensor.newBuilder().setName("text_input").setDatatype("BYTES")
                        .addShape(1).addShape(1)
                        .setContents(dev.sluice.proto.triton.InferTensorContents.newBuilder()
                                .addBytesContents(com.google.protobuf.ByteString.copyFromUtf8("x"))))
                .addRawInputContents(TritonTensors.encodeStrings(List.of("x")))
                .build();

        assertThatThrownBy(() -> GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .contains("contents field must not be specified when using raw_input_contents");
                });
    }

    @Test
    void aBatchBeyondMaxBatchSizeIsSplitIntoSeveralCalls() {
        TritonBackend backend = backend(TritonTensorNames.ensemble());
        long executionsBefore = statistics().getExecutionCount();
        List<GenerationRequest> batch = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            batch.add(GenerationRequest.of("s" + i, "split " + i, 16));
        }

        List<GenerationResult> results = backend.generate(batch).join();

        assertThat(results).hasSize(11);
        assertThat(results).extracting(GenerationResult::batchSize).containsOnly(8, 3);
        assertThat(statistics().getExecutionCount() - executionsBefore).isEqualTo(2);
    }

    @Test
    void aServerThatGoesAwayIsARetryableFailure() {
        EmulatedModel model = EmulatedModel.ensemble(MODEL, new InflightBatchingEngine(CostModel.llama8bH100(), 20), 8);
        EmulatorServer doomed = EmulatorServer.startTriton("127.0.0.1", 0, Map.of(MODEL, model));
        ManagedChannel doomedChannel = GrpcChannels.plaintext(doomed.endpoint());
        try {
            TritonBackend backend = new TritonBackend(doomedChannel, doomed.endpoint(),
                    TritonModelOptions.ofDefaults(MODEL));
            backend.checkReady(Duration.ofSeconds(10));
            String endpoint = doomed.endpoint();
            doomed.close();

            assertThatThrownBy(() -> backend.generate(List.of(GenerationRequest.of("x", "y", 4))).join())
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.isRetryable()).isTrue();
                        assertThat(e.getMessage()).startsWith(endpoint + ": UNAVAILABLE");
                    });
        } finally {
            GrpcChannels.close(doomedChannel);
        }
    }

    @Test
    void healthCheckReportsServing() {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());

        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    private static ModelStatistics statistics() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .modelStatistics(ModelStatisticsRequest.newBuilder().setName(MODEL).build()).getModelStats(0);
    }
}
