package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.triton.TritonModelOptions.Streaming;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedModel.PriorityLevels;
import dev.sluice.emulator.EmulatedModel.TritonTensorProfile;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.ModelConfig;
import dev.sluice.proto.triton.ModelConfigRequest;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferRequest.InferInputTensor;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request priority between {@link TritonBackend} and the emulator over a loopback socket: a plain (non-ensemble)
 * model with {@code dynamic_batching.priority_levels}, one without, and an ensemble, which has none. As on upstream
 * Triton, the priority is checked and accepted but does not reorder the model's engine ({@code docs/backends.md},
 * Request priority on Triton).
 */
class TritonPriorityITCase {

    private static final String LEVELLED = "llm_with_levels";
    private static final String ONE_SLOT = "llm_one_slot";
    private static final String PLAIN = "llm_without_levels";
    private static final String ENSEMBLE = "ensemble";
    private static EmulatorServer server;
    private static ManagedChannel channel;
    /** The engine of {@link #ONE_SLOT}: one sequence at a time, 50 ms a step in real time. */
    private static InflightBatchingEngine oneSlot;

    @BeforeAll
    static void startServer() {
        CostModel cost = CostModel.llama8bH100();
        oneSlot = new InflightBatchingEngine(
                new CostModel("one-slot", 50_000_000, 0, 0, 1_000_000, 1, 1_000_000, 0), 1);
        server = EmulatorServer.startTriton("127.0.0.1", 0, Map.of(
                LEVELLED, new EmulatedModel(LEVELLED, new InflightBatchingEngine(cost, 20), 0,
                        TritonTensorProfile.LLM_API, false, null, new PriorityLevels(3, 2)),
                ONE_SLOT, new EmulatedModel(ONE_SLOT, oneSlot, 0, TritonTensorProfile.LLM_API, false, null,
                        new PriorityLevels(2, 2)),
                PLAIN, new EmulatedModel(PLAIN, new InflightBatchingEngine(cost, 20), 0, TritonTensorProfile.LLM_API,
                        false, null),
                ENSEMBLE, EmulatedModel.ensemble(ENSEMBLE, new InflightBatchingEngine(cost, 20), 8)));
        channel = GrpcChannels.plaintext(server.endpoint());
    }

    @AfterAll
    static void stopServer() {
        GrpcChannels.close(channel);
        server.close();
    }

    private static TritonBackend backend(String model, int priorityLevels) {
        return new TritonBackend(channel, server.endpoint(), new TritonModelOptions(model, "",
                model.equals(ENSEMBLE) ? TritonTensorNames.ensemble() : TritonTensorNames.llmApi(), 8, Streaming.AUTO,
                Duration.ofSeconds(10), false, priorityLevels));
    }

    /** A request to the LLM-API model as a raw client writes it, with {@code priority} set to {@code value}. */
    private static ModelInferRequest withPriority(InferParameter value) {
        return ModelInferRequest.newBuilder().setModelName(LEVELLED)
                .addInputs(InferInputTensor.newBuilder().setName("text_input").setDatatype("BYTES").addShape(1))
                .addRawInputContents(TritonTensors.encodeStrings(List.of("hello")))
                .addInputs(InferInputTensor.newBuilder().setName("sampling_param_max_tokens").setDatatype("INT32")
                        .addShape(1))
                .addRawInputContents(TritonTensors.encodeInts(new int[] {2}))
                .putParameters("priority", value)
                .build();
    }

    @Test
    void aModelWithLevelsReportsThemInItsConfig() {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);

        ModelConfig levelled = stub.modelConfig(ModelConfigRequest.newBuilder().setName(LEVELLED).build()).getConfig();
        ModelConfig plain = stub.modelConfig(ModelConfigRequest.newBuilder().setName(PLAIN).build()).getConfig();

        assertThat(levelled.getDynamicBatching().getPriorityLevels()).isEqualTo(3);
        assertThat(levelled.getDynamicBatching().getDefaultPriorityLevel()).isEqualTo(2);
        assertThat(plain.hasDynamicBatching()).isFalse();
    }

    static Stream<Arguments> refusedPriorities() {
        String wrongType = "invalid value type for 'priority' parameter, expected int64_param or uint64_param.";
        return Stream.of(
                Arguments.of(InferParameter.newBuilder().setStringParam("1").build(), wrongType),
                Arguments.of(InferParameter.newBuilder().setBoolParam(true).build(), wrongType),
                Arguments.of(InferParameter.newBuilder().setDoubleParam(1.0).build(), wrongType),
                Arguments.of(InferParameter.getDefaultInstance(), wrongType),
                Arguments.of(InferParameter.newBuilder().setInt64Param(-1).build(),
                        "invalid value for 'priority', expected value >= 0."));
    }

    /** As Triton's gRPC handler: only uint64, or int64 not below 0. */
    @ParameterizedTest
    @MethodSource("refusedPriorities")
    void aPriorityOfAnotherTypeIsAnInvalidArgument(InferParameter priority, String message) {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);

        assertThatThrownBy(() -> stub.modelInfer(withPriority(priority)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo(message);
                });
    }

    /** Any uint64, and any int64 from 0, is accepted, whatever the model's levels. */
    @Test
    void uint64AndNonNegativeInt64PrioritiesAreAccepted() {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);

        for (InferParameter priority : List.of(InferParameter.newBuilder().setUint64Param(1).build(),
                InferParameter.newBuilder().setUint64Param(-1L).build(),
                InferParameter.newBuilder().setInt64Param(0).build(),
                InferParameter.newBuilder().setInt64Param(7).build())) {
            assertThat(stub.modelInfer(withPriority(priority)).getOutputsCount()).as(priority.toString()).isPositive();
        }
    }

    @Test
    void aDeploymentWithPrioritySchedulingCallsAModelWithEnoughLevels() {
        TritonBackend backend = backend(LEVELLED, 3);
        backend.checkReady(Duration.ofSeconds(10));

        assertThat(backend.generate(List.of(GenerationRequest.of("i", "hello", 4).withInteractive(true),
                GenerationRequest.of("b", "hello", 4))).join()).hasSize(2);
    }

    /**
     * Batch requests (priority 2) wait in the engine for its one slot; an interactive request (priority 1) that comes
     * after them is admitted after them, as upstream's LLM-API model queues requests in its engine without a
     * priority. Every call is answered: the priority was accepted.
     */
    @Test
    void aLaterInteractiveRequestDoesNotOvertakeBatchWorkWaitingInTheEngine() throws Exception {
        TritonBackend backend = backend(ONE_SLOT, 2);
        backend.checkReady(Duration.ofSeconds(10));
        List<String> finished = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<List<GenerationResult>>> calls = new ArrayList<>();

        // "hello" runs to its natural 57 tokens: about 3 s in the slot while the others queue behind it.
        calls.add(send(backend, "running", 64, false, finished));
        awaitTrue(() -> oneSlot.load().running() == 1, "the first request in the slot");
        calls.add(send(backend, "batch a", 2, false, finished));
        awaitTrue(() -> oneSlot.load().waiting() == 1, "batch a waiting");
        calls.add(send(backend, "batch b", 2, false, finished));
        awaitTrue(() -> oneSlot.load().waiting() == 2, "batch b waiting");
        calls.add(send(backend, "interactive", 2, true, finished));
        awaitTrue(() -> oneSlot.load().waiting() == 3, "all three waiting behind the running one");

        calls.forEach(call -> assertThat(call.join()).hasSize(1));
        assertThat(finished).containsExactly("running", "batch a", "batch b", "interactive");
    }

    private static CompletableFuture<List<GenerationResult>> send(TritonBackend backend, String id, int maxTokens,
            boolean interactive, List<String> finished) {
        return backend.generate(List.of(GenerationRequest.of(id, "hello", maxTokens).withInteractive(interactive)))
                .whenComplete((results, failure) -> finished.add(id));
    }

    /** Waits up to 30 s for {@code condition}, failing with {@code what} if it never holds. */
    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void startUpRefusesPrioritySchedulingWhereItCannotTakeEffect() {
        assertThatThrownBy(() -> backend(ENSEMBLE, 2).checkReady(Duration.ofSeconds(10)))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("Triton drops a request's priority inside ensembles")
                .satisfies(e -> assertThat(((BackendException) e).isRetryable()).isFalse());
        assertThatThrownBy(() -> backend(PLAIN, 2).checkReady(Duration.ofSeconds(10)))
                .isInstanceOf(BackendException.class).hasMessageContaining("has 0 priority levels");
        assertThatThrownBy(() -> backend(LEVELLED, 4).checkReady(Duration.ofSeconds(10)))
                .isInstanceOf(BackendException.class).hasMessageContaining("has 3 priority levels")
                .hasMessageContaining("fewer than the deployment's 4");
        // Without priority scheduling, any of them will do.
        backend(PLAIN, 0).checkReady(Duration.ofSeconds(10));
        backend(ENSEMBLE, 0).checkReady(Duration.ofSeconds(10));
    }

    @Test
    void anEnsembleCannotHavePriorityLevels() {
        InflightBatchingEngine engine = new InflightBatchingEngine(CostModel.instant(), 1);
        try {
            assertThatThrownBy(() -> EmulatedModel.ensemble("e", engine, 8).withPriority(new PriorityLevels(2, 2)))
                    .hasMessageContaining("Triton drops a request's priority inside ensembles");
        } finally {
            engine.close();
        }
    }
}
