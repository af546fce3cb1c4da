package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.sglang.SglangOptions;
import dev.sluice.backend.sglang.SglangSchedulerBackend;
import dev.sluice.backend.triton.TritonBackend;
import dev.sluice.backend.triton.TritonModelOptions;
import dev.sluice.backend.triton.TritonTensorNames;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.GatewayOptions;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Requests the pipeline gives up on, against the emulator over loopback sockets: withdrawn from the gateway while
 * at the server, or past their deadline, their calls are cancelled and the server stops generating for them.
 * Compared with a server that ignores cancellation, the work nobody will read falls to almost nothing. Margins are
 * wide: the assertions compare amounts, never tight timings, so a loaded machine does not fail them.
 */
class CallCancellationITCase {

    private static final int REQUESTS = 8;
    /** Far beyond any wait here: a call that ends sooner ended by its request's deadline. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);

    /** The backends under test, each with its own emulated server. */
    enum Kind {
        TRITON_UNARY, TRITON_STREAMING, SGLANG
    }

    private EmulatorServer server;
    private ManagedChannel channel;
    private InferenceBackend backend;

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        GrpcChannels.close(channel);
        server.close();
    }

    /** Starts a real time (scale 1) server, slowed so that a generation lasts seconds. */
    private void start(Kind kind) {
        InflightBatchingEngine engine = new InflightBatchingEngine(CostModel.llama8bH100(), 1);
        server = switch (kind) {
            case TRITON_UNARY -> EmulatorServer.builder().model(EmulatedModel.ensemble("m", engine, 8)).start();
            case TRITON_STREAMING -> EmulatorServer.builder()
                    .model(EmulatedModel.ensemble("m", engine, 8).withDecoupled(true)).start();
            case SGLANG -> EmulatorServer.builder().protocol(Protocol.SGLANG_SMG)
                    .model(EmulatedModel.sglang("m", engine)).start();
        };
        server.faults().slowdown(10);
        channel = GrpcChannels.plaintext(server.endpoint());
        backend = kind == Kind.SGLANG
                ? new SglangSchedulerBackend(channel, server.endpoint(), new SglangOptions(null, CALL_TIMEOUT))
                : new TritonBackend(channel, server.endpoint(), new TritonModelOptions("m", "",
                        TritonTensorNames.ensemble(), 8, TritonModelOptions.Streaming.AUTO, CALL_TIMEOUT));
    }

    private InflightBatchingEngine engine() {
        return server.models().get("m").engine();
    }

    private static GenerationRequest request(int i) {
        // Completions of a hundred tokens or more: seconds each at this speed.
        return GenerationRequest.of("r" + i, "Write a long and detailed essay about rivers, part " + i, 512);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void withdrawnCallsStopAtTheServerUnlikeWhereCancellationIsIgnored(Kind kind) throws Exception {
        start(kind);
        long ignored = abandonedTokensAfterWithdrawal(true);
        long honoured = abandonedTokensAfterWithdrawal(false);
        System.out.printf("%s: abandoned tokens after withdrawing %d requests: %d with cancellation ignored, "
                + "%d honoured%n", kind, REQUESTS, ignored, honoured);

        assertThat(ignored).as("the baseline wastes work").isGreaterThan(REQUESTS * 5L);
        // At most a step or two per request may be under way when the cancellation arrives.
        assertThat(honoured).isLessThanOrEqualTo(Math.max(REQUESTS * 3L, ignored / 10));
    }

    /** Sends requests through a gateway, withdraws them once they generate, and waits for the server to idle. */
    private long abandonedTokensAfterWithdrawal(boolean ignoreCancellation) throws Exception {
        server.faults().ignoreCancellation(ignoreCancellation);
        long before = engine().stats().abandonedTokens();
        try (Gateway gateway = new Gateway(backend, new GatewayOptions(REQUESTS, 100_000, Duration.ofMillis(200),
                REQUESTS, 1, REQUESTS, false))) {
            List<CompletableFuture<Gateway.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                answers.add(gateway.submit(request(i), true, 0));
            }
            awaitTrue(() -> engine().load().running() == REQUESTS, "all requests generating");
            awaitTrue(() -> engine().stats().steps() > 0, "a first step");

            gateway.withdraw(answers);
            awaitTrue(() -> answers.stream().allMatch(CompletableFuture::isDone), "withdrawn requests ended");
            awaitTrue(() -> engine().load().running() + engine().load().waiting() == 0, "server idle");
        }
        return engine().stats().abandonedTokens() - before;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCallEndsAtItsRequestsDeadlineNotAtTheCallTimeout(Kind kind) throws Exception {
        start(kind);
        backend.checkReady(Duration.ofSeconds(30));
        server.faults().slowdown(50);
        long sent = System.nanoTime();
        GenerationRequest due = request(0).withDeadlineNanos(sent + TimeUnit.MILLISECONDS.toNanos(1_500));

        CompletableFuture<List<GenerationResult>> answer = backend.generate(List.of(due));

        assertThatThrownBy(() -> answer.get(60, TimeUnit.SECONDS)).hasMessageContaining("DEADLINE_EXCEEDED");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertThat(tookMillis).as("not before the deadline").isGreaterThanOrEqualTo(1_400);
        assertThat(tookMillis).as("long before the call timeout").isLessThan(CALL_TIMEOUT.toMillis() / 4);
        awaitTrue(() -> engine().load().running() + engine().load().waiting() == 0, "server stopped generating");
        assertThat(engine().stats().finishedSequences()).as("the server gave up, not finished").isZero();
    }

    /** Waits up to 30 s for {@code condition}, failing with {@code what} if it never holds. */
    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
