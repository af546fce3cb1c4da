package dev.sluice.bench;

import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.sglang.SglangOptions;
import dev.sluice.backend.sglang.SglangSchedulerBackend;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.GatewayOptions;
import io.grpc.ManagedChannel;
import java.time.Duration;

/**
 * A fresh emulated SGLang worker on a GPU of its own, its backend and one gateway in front: the stack a benchmark
 * of the gateway's queueing runs against. Closing it closes all of them.
 */
final class SglangLane implements AutoCloseable {

    private final EmulatorServer server;
    private final ManagedChannel channel;
    private final SglangSchedulerBackend backend;
    final Gateway gateway;

    SglangLane(CostModel cost, double timeScale, GatewayOptions options) throws Exception {
        server = EmulatorServer.builder().protocol(Protocol.SGLANG_SMG)
                .model(EmulatedModel.sglang("worker", new InflightBatchingEngine(cost, timeScale))).start();
        channel = GrpcChannels.plaintext(server.endpoint());
        backend = new SglangSchedulerBackend(channel, server.endpoint(),
                new SglangOptions(null, Duration.ofMinutes(5)));
        backend.checkReady(Duration.ofSeconds(30));
        gateway = new Gateway(backend, options);
    }

    @Override
    public void close() {
        gateway.close();
        backend.close();
        GrpcChannels.close(channel);
        server.close();
    }
}
