package dev.sluice.backend.sglang;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.ServerLoad;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.proto.sglang.scheduler.GenerateRequest;
import dev.sluice.proto.sglang.scheduler.SamplingParams;
import dev.sluice.proto.sglang.scheduler.SglangSchedulerGrpc;
import dev.sluice.proto.sglang.scheduler.TokenizedInput;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both SGLang dialects against emulated workers over loopback sockets. */
class SglangBackendITCase {

    private static final ModelTokenizer TOKENIZER = ModelTokenizer.bundled();
    private static final List<ChatTurn> CHAT = List.of(
            new ChatTurn("system", "あなたは親切なアシスタントです。"), new ChatTurn("user", "京都のおすすめは？"));
    private static EmulatorServer smg;
    private static EmulatorServer nativeServer;
    private static ManagedChannel smgChannel;
    private static ManagedChannel nativeChannel;

    @BeforeAll
    static void start() {
        smg = worker(Protocol.SGLANG_SMG);
        nativeServer = worker(Protocol.SGLANG_NATIVE);
        smgChannel = GrpcChannels.plaintext(smg.endpoint());
        nativeChannel = GrpcChannels.plaintext(nativeServer.endpoint());
    }

    private static EmulatorServer worker(Protocol protocol) {
        return EmulatorServer.builder().protocol(protocol)
                .model(EmulatedModel.sglang("qwen2.5-7b", new InflightBatchingEngine(CostModel.llama8bH100(), 20)))
                .start();
    }

    @AfterEach
    void clearFaults() {
        smg.faults().clear();
        nativeServer.faults().clear();
    }

    @AfterAll
    static void stop() {
        GrpcChannels.close(smgChannel);
        GrpcChannels.close(nativeChannel);
        smg.close();
        nativeServer.close();
    }

    private static SglangSchedulerBackend schedulerBackend() {
        SglangSchedulerBackend backend = new SglangSchedulerBackend(smgChannel, smg.endpoint(),
                new SglangOptions(null, Duration.ofSeconds(10)));
        backend.checkReady(Duration.ofSeconds(10));
        return backend;
    }

    private static GenerationRequest chat(String id, int maxTokens) {
        return new GenerationRequest(id, "rendered elsewhere", maxTokens, null, null, null, List.of(), CHAT);
    }

    @Test
    void theSchedulerDialectTokenizesTemplatesAndDetokenizesInTheJvm() {
        SglangSchedulerBackend backend = schedulerBackend();
        String templated = TOKENIZER.applyChatTemplate(CHAT);
        EmulatedCompletion expected = EmulatedCompletion.of(TOKENIZER, templated, 400);

        long sent = System.nanoTime();
        GenerationResult result = backend.generate(List.of(chat("c1", 400))).join().get(0);

        assertThat(result.text()).isEqualTo(expected.text());
        assertThat(result.promptTokens()).isEqualTo(TOKENIZER.encode(templated).length);
        assertThat(result.completionTokens()).isEqualTo(expected.tokens());
        assertThat(result.finishReason()).isEqualTo("stop");
        assertThat(result.firstTokenAtNanos()).isGreaterThan(sent);
        assertThat(backend.servedContext()).hasValue(32768);
        assertThat(backend.countTokens(templated)).hasValue(TOKENIZER.encode(templated).length);
    }

    @Test
    void aSharedPrefixIsServedFromTheRadixCache() {
        SglangSchedulerBackend backend = schedulerBackend();
        List<ChatTurn> longSystem = List.of(new ChatTurn("system", "Answer as a careful translator. ".repeat(20)),
                new ChatTurn("user", "first"));
        List<ChatTurn> sameSystem = List.of(longSystem.get(0), new ChatTurn("user", "second"));

        backend.generate(List.of(new GenerationRequest("p1", "", 8, null, null, null, List.of(), longSystem))).join();
        GenerationResult second = backend.generate(
                List.of(new GenerationRequest("p2", "", 8, null, null, null, List.of(), sameSystem))).join().get(0);

        assertThat(second.cachedTokens()).isGreaterThanOrEqualTo(16 * (TOKENIZER.encode(
                TOKENIZER.applyChatTemplate(List.of(longSystem.get(0)))).length / 16) - 16).isPositive();
        ServerLoad load = backend.load().join();
        assertThat(load.cacheHitRate()).isPositive();
        assertThat(load.running()).isZero();
    }

    @Test
    void stopStringsEndTheCompletionOnTheClient() {
        SglangSchedulerBackend backend = schedulerBackend();
        String full = EmulatedCompletion.of(TOKENIZER, "plain prompt", 400).text();
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        GenerationRequest request = new GenerationRequest("s", "plain prompt", 400, null, null, null,
                List.of(stop), List.of());

        GenerationResult result = backend.generate(List.of(request)).join().get(0);

        assertThat(result.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(result.finishReason()).isEqualTo("stop");
    }

    @Test
    void protoZerosAreNotSglangDefaultsSoTheWorkerRefusesThem() {
        GenerateRequest zeros = GenerateRequest.newBuilder().setRequestId("z")
                .setTokenized(TokenizedInput.newBuilder().addInputIds(1).addInputIds(2))
                .setSamplingParams(SamplingParams.getDefaultInstance()).build();

        assertThatThrownBy(() -> SglangSchedulerGrpc.newBlockingStub(smgChannel).generate(zeros).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("top_p");
                });
        // The backend sets every field, so the same worker serves it.
        assertThat(schedulerBackend().generate(List.of(GenerationRequest.of("ok", "hello", 4))).join()).hasSize(1);
    }

    @Test
    void aDroppedStreamIsARetryableFailureNotAPartialCompletion() {
        SglangSchedulerBackend backend = schedulerBackend();
        smg.faults().dropStreamsAfterTokens(2);

        assertThatThrownBy(() -> backend.generate(List.of(GenerationRequest.of("d", "a long story", 64))).join())
                .cause().isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.isRetryable()).isTrue());
    }

    @Test
    void aDeadlineAbortsTheRequestOnTheWorker() throws Exception {
        SglangSchedulerBackend backend = new SglangSchedulerBackend(smgChannel, smg.endpoint(),
                new SglangOptions(null, Duration.ofMillis(300)));
        backend.checkReady(Duration.ofSeconds(10));
        smg.faults().slowdown(50);

        assertThatThrownBy(() -> backend.generate(List.of(GenerationRequest.of("slow", "slow prompt", 200))).join())
                .cause().hasMessageContaining("DEADLINE_EXCEEDED");
        smg.faults().slowdown(1);
        // The worker freed the slot: nothing is left running.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (smg.models().get("qwen2.5-7b").engine().load().running() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(smg.models().get("qwen2.5-7b").engine().load().running()).isZero();
    }

    @Test
    void theNativeDialectSendsTextWithARoutingKeyPerSharedPrefix() {
        SglangNativeBackend backend = new SglangNativeBackend(nativeChannel, nativeServer.endpoint(),
                new SglangOptions(null, Duration.ofSeconds(10)));
        backend.checkReady(Duration.ofSeconds(10));
        String prompt = "次の文章を要約してください：今日は晴れです。";

        GenerationResult result = backend.generate(List.of(GenerationRequest.of("n1", prompt, 400))).join().get(0);
        backend.generate(List.of(chat("n2", 8), chat("n3", 8))).join();

        assertThat(result.text()).isEqualTo(EmulatedCompletion.of(TOKENIZER, prompt, 400).text());
        assertThat(result.promptTokens()).isEqualTo(TOKENIZER.encode(prompt).length);
        assertThat(result.firstTokenAtNanos()).isPositive();
        assertThat(backend.servedContext()).hasValue(32768);
        assertThat(backend.countTokens(prompt)).as("the native protocol tokenizes in the server").isEmpty();
        assertThat(RoutingKey.of(chat("a", 1))).isEqualTo(RoutingKey.of(chat("b", 1)));
        assertThat(RoutingKey.of(chat("a", 1))).isNotEqualTo(RoutingKey.of(GenerationRequest.of("c", prompt, 1)));
    }

    /** Both dialects carry the schema to the worker, which answers JSON valid against it. */
    @Test
    void bothDialectsAnswerASchemaWithJsonValidAgainstIt() throws Exception {
        String schema = "{\"type\": \"object\", \"required\": [\"sku\", \"quantity\"], \"properties\": "
                + "{\"sku\": {\"type\": \"string\"}, \"quantity\": {\"type\": \"integer\", \"minimum\": 1}}}";
        GenerationRequest request = GenerationRequest.of("j", "Extract the order: two lamps", 400)
                .withConstraint(new OutputConstraint(OutputConstraint.Kind.JSON_SCHEMA, schema));
        SglangNativeBackend nativeBackend = new SglangNativeBackend(nativeChannel, nativeServer.endpoint(),
                new SglangOptions(null, Duration.ofSeconds(10)));
        nativeBackend.checkReady(Duration.ofSeconds(10));
        Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema);

        for (InferenceBackend backend : List.of(schedulerBackend(), nativeBackend)) {
            GenerationResult result = backend.generate(List.of(request)).join().get(0);

            assertThat(validator.validate(new ObjectMapper().readTree(result.text()))).as(backend.protocol()).isEmpty();
            assertThat(result.finishReason()).isEqualTo("stop");
        }
    }

    @Test
    void theNativeDialectReportsLengthFromSglangsFinishReasonJson() {
        SglangNativeBackend backend = new SglangNativeBackend(nativeChannel, nativeServer.endpoint(),
                new SglangOptions(null, Duration.ofSeconds(10)));
        backend.checkReady(Duration.ofSeconds(10));

        GenerationResult result = backend.generate(List.of(GenerationRequest.of("l", "write a lot", 3))).join().get(0);

        assertThat(result.finishReason()).isEqualTo("length");
        assertThat(result.completionTokens()).isEqualTo(3);
        assertThat(SglangNativeBackend.finishReason("{\"type\": \"abort\", \"message\": \"x\"}")).isEqualTo("abort");
        assertThat(SglangNativeBackend.finishReason("stop")).isEqualTo("stop");
    }
}
