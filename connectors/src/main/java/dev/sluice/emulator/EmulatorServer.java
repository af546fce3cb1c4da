package dev.sluice.emulator;

import dev.sluice.emulator.triton.TritonEmulatorService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An emulated inference server on a real socket, speaking Triton's gRPC protocol and gRPC health checks.
 */
public final class EmulatorServer implements AutoCloseable {

    private final Server server;
    private final ExecutorService executor;
    private final Map<String, EmulatedModel> models;
    private final String host;

    private EmulatorServer(Server server, ExecutorService executor, Map<String, EmulatedModel> models, String host) {
        this.server = server;
        this.executor = executor;
        this.models = models;
        this.host = host;
    }

    /** Starts serving {@code models} over Triton's protocol on {@code host:port}; port 0 picks a free one. */
    public static EmulatorServer startTriton(String host, int port, Map<String, EmulatedModel> models) {
        // Handlers only decode and queue work for the emulated GPU, so a few threads serve any load.
        ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "emulator-grpc");
            thread.setDaemon(true);
            return thread;
        });
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .executor(executor)
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .addService(new TritonEmulatorService(models))
                .addService(new HealthService())
                .build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("emulator could not listen on " + host + ":" + port, e);
        }
        return new EmulatorServer(server, executor, Map.copyOf(models), host);
    }

    public int port() {
        return server.getPort();
    }

    /** {@code host:port} for clients. */
    public String endpoint() {
        return host + ":" + port();
    }

    public Map<String, EmulatedModel> models() {
        return models;
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        models.values().forEach(model -> model.engine().close());
        executor.shutdownNow();
    }
}
