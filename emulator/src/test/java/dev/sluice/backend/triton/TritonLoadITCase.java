package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.ServerLoad;
import dev.sluice.backend.triton.TritonModelOptions.Streaming;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link TritonBackend#load()} against the emulator's metrics port while requests run, and against metrics pages a
 * real Triton would never serve.
 */
class TritonLoadITCase {

    /** 20 ms a step, two sequences at once: of four requests of 40 tokens, two run and two wait for most of a second. */
    private static final CostModel TWO_SLOTS = new CostModel("two-slots", 20_000_000, 0, 0, 1_000_000, 2, 100_000, 0);
    private static final String MODEL = "emulated-llm";
    /** A gRPC endpoint never called: the load is read over HTTP alone. */
    private static final String NOWHERE = "127.0.0.1:1";

    /**
     * An ensemble deployment with {@code metrics-model: tensorrt_llm}: the gauges are its composing tensorrt_llm
     * model's, as TensorRT-LLM labels them, and under the ensemble's own name there are none.
     */
    @Test
    void loadFollowsTheRequestsTheServerRunsAndQueues() throws Exception {
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.TRITON).metrics(0)
                .model(EmulatedModel.ensemble(MODEL, new InflightBatchingEngine(TWO_SLOTS, 1), 8)).start()) {
            ManagedChannel channel = GrpcChannels.plaintext(server.endpoint());
            try {
                URI page = URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics");
                TritonBackend backend = backend(channel, server.endpoint(), new MetricsPage(page, "tensorrt_llm"));
                TritonBackend ensembleGauges = backend(channel, server.endpoint(), new MetricsPage(page, MODEL));
                backend.checkReady(Duration.ofSeconds(10));
                assertThatThrownBy(() -> ensembleGauges.load().get(5, TimeUnit.SECONDS))
                        .hasMessageContaining("no active and waiting requests of model '" + MODEL + "'");
                assertThat(backend.reportsLoad()).isTrue();
                assertThat(backend.load().get(5, TimeUnit.SECONDS)).isEqualTo(new ServerLoad(0, 0, 2, 0, 0, 0));

                CompletableFuture<List<GenerationResult>> answers = backend.generate(IntStream.range(0, 4)
                        .mapToObj(i -> GenerationRequest.of("r" + i, "prompt number " + i, 40)).toList());
                ServerLoad busy = awaitLoad(backend, load -> load.running() == 2 && load.waiting() == 2);
                assertThat(busy.maxRunning()).isEqualTo(2);
                assertThat(busy.tokenUsage()).isPositive().isLessThanOrEqualTo(1);

                answers.get(30, TimeUnit.SECONDS);
                assertThat(awaitLoad(backend, load -> load.running() == 0))
                        .isEqualTo(new ServerLoad(0, 0, 2, 0, 0, 0));
            } finally {
                GrpcChannels.close(channel);
            }
        }
    }

    @Test
    void aBackendWithoutAMetricsPageReportsNoLoad() {
        ManagedChannel nowhere = GrpcChannels.plaintext(NOWHERE);
        try {
            TritonBackend backend = backend(nowhere, NOWHERE, null);

            assertThat(backend.reportsLoad()).isFalse();
            assertThat(backend.load()).isCompletedExceptionally();
        } finally {
            GrpcChannels.close(nowhere);
        }
    }

    /** Whatever the page, {@code load()} returns a future, and that future fails within about a second. */
    @Test
    void aHostilePageFailsTheReadAndNothingElse() throws Exception {
        String row = "nv_trt_llm_request_metrics{model=\"" + MODEL + "\",request_type=\"active\",version=\"1\"} 1\n";
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/huge", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                byte[] chunk = row.repeat(1000).getBytes(StandardCharsets.UTF_8);
                for (long sent = 0; sent <= 5L * 1024 * 1024; sent += chunk.length) {
                    body.write(chunk);
                }
            } catch (IOException e) {
                // The reader hung up, as it should.
            }
        });
        http.createContext("/trickle", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                for (int i = 0; i < 100; i++) {
                    body.write(row.getBytes(StandardCharsets.UTF_8));
                    body.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // The reader hung up, as it should.
            }
        });
        http.createContext("/error", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        http.createContext("/garbage", exchange -> {
            byte[] body = "\u0000\u00ff{{{\"\n# only noise\nnv_trt_llm_request_metrics{model=\"".getBytes(
                    StandardCharsets.ISO_8859_1);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        ManagedChannel nowhere = GrpcChannels.plaintext(NOWHERE);
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            for (String path : List.of("/huge", "/trickle", "/error", "/garbage")) {
                TritonBackend backend = backend(nowhere, NOWHERE, new MetricsPage(URI.create(base + path), MODEL));
                long start = System.nanoTime();

                assertThatThrownBy(() -> backend.load().get(5, TimeUnit.SECONDS)).as(path)
                        .isInstanceOf(ExecutionException.class);
                assertThat(System.nanoTime() - start).as(path).isLessThan(TimeUnit.SECONDS.toNanos(3));
            }
        } finally {
            GrpcChannels.close(nowhere);
            http.stop(0);
        }
    }

    private static TritonBackend backend(ManagedChannel channel, String endpoint, MetricsPage metrics) {
        return new TritonBackend(channel, endpoint, new TritonModelOptions(MODEL, "", TritonTensorNames.ensemble(), 8,
                Streaming.AUTO, Duration.ofSeconds(10), false, 0, metrics));
    }

    /** Reads the load every few milliseconds until one satisfies {@code condition}, for at most ten seconds. */
    private static ServerLoad awaitLoad(TritonBackend backend, Predicate<ServerLoad> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        ServerLoad load = backend.load().get(5, TimeUnit.SECONDS);
        while (!condition.test(load)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no load satisfied the condition; the last: " + load);
            }
            Thread.sleep(5);
            load = backend.load().get(5, TimeUnit.SECONDS);
        }
        return load;
    }
}
