package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.proto.health.HealthCheckRequest;
import dev.sluice.proto.health.HealthCheckResponse;
import dev.sluice.proto.health.HealthGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Gateways} over emulated Triton servers on loopback: a deployment's gateway starts without waiting for its
 * servers, and a replica that is not ready at start neither holds up nor takes down its model.
 */
class GatewayStartupITCase {

    private static final String MODEL = "ensemble";
    /** What each readiness check took before the gateway probed on its own. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** One request at a time per replica, so two at once need both; readiness rechecked every 20 to 100 ms. */
    private static final GatewayOptions OPTIONS = new GatewayOptions(1, 10_000, Duration.ZERO, 1, 1, 1, false,
            new ResilienceOptions(4, Duration.ofMillis(20), Duration.ofMillis(100), 50, 10, Duration.ofSeconds(1)));

    private static EmulatorServer emulator(int port) {
        return EmulatorServer.builder().port(port)
                .model(EmulatedModel.ensemble(MODEL, new InflightBatchingEngine(CostModel.llama8bH100(), 20), 8))
                .start();
    }

    private static BackendSpec spec(String endpoint) {
        return BackendSpec.triton(endpoint, MODEL, 8, CALL_TIMEOUT);
    }

    private static CompletableFuture<Gateway.Answer> submit(Gateway gateway, String id) {
        return gateway.submit(GenerationRequest.of(id, "prompt " + id, 8), true,
                System.nanoTime() + Duration.ofSeconds(20).toNanos());
    }

    private static long served(EmulatorServer server) {
        return server.models().get(MODEL).engine().stats().finishedSequences();
    }

    /** A loopback port nothing listens on: bound, then let go. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aReplicaDownAtStartIsServedAroundAndJoinsOnceItListens() throws Exception {
        int latePort = closedPort();
        try (EmulatorServer up = emulator(0)) {
            List<BackendSpec> specs = List.of(spec("127.0.0.1:" + latePort), spec(up.endpoint()));
            Gateway gateway = Gateways.acquire(specs, OPTIONS);
            try {
                for (int i = 0; i < 3; i++) {
                    assertThat(submit(gateway, "early-" + i).get(30, TimeUnit.SECONDS).result().text()).isNotEmpty();
                }
                assertThat(served(up)).isEqualTo(3);
                assertThat(gateway.stats().readyReplicas()).isEqualTo(1);

                try (EmulatorServer late = emulator(latePort)) {
                    // Two at a time: once the late replica is ready, it takes one of each pair. gRPC's own reconnect
                    // backoff (1 s, growing) comes on top of the gateway's.
                    long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    for (int pair = 0; served(late) == 0 && System.nanoTime() < giveUp; pair++) {
                        CompletableFuture.allOf(submit(gateway, "a-" + pair), submit(gateway, "b-" + pair))
                                .get(30, TimeUnit.SECONDS);
                        Thread.sleep(50);
                    }

                    assertThat(served(late)).isPositive();
                    assertThat(gateway.stats().readyReplicas()).isEqualTo(2);
                }
            } finally {
                Gateways.release(specs);
            }
        }
    }

    @Test
    void acquiringAGatewayDoesNotWaitForAServerThatNeverAnswersItsReadinessCheck() throws Exception {
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch checkEnded = new CountDownLatch(1);
        Server silent = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new HealthGrpc.HealthImplBase() {
                    @Override
                    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
                        // Never answered: the call ends when the client gives up on it.
                        ((ServerCallStreamObserver<HealthCheckResponse>) response)
                                .setOnCancelHandler(checkEnded::countDown);
                        checked.countDown();
                    }
                })
                .build().start();
        try (EmulatorServer up = emulator(0)) {
            List<BackendSpec> specs = List.of(spec("127.0.0.1:" + silent.getPort()), spec(up.endpoint()));
            // Checking the silent server here would take the call timeout, a minute.
            Gateway gateway = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> Gateways.acquire(specs, OPTIONS));
            try {
                assertThat(submit(gateway, "r").get(30, TimeUnit.SECONDS).result().text()).isNotEmpty();

                assertThat(checked.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(checkEnded.getCount()).as("the silent server's check still out").isEqualTo(1);
                assertThat(gateway.stats().readyReplicas()).isEqualTo(1);
            } finally {
                Gateways.release(specs);
            }
        } finally {
            silent.shutdownNow();
        }
    }
}
