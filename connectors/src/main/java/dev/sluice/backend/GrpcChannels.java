package dev.sluice.backend;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/** Builds and closes the channels backends are handed. */
public final class GrpcChannels {

    private GrpcChannels() {}

    /**
     * A plaintext channel to {@code host:port}. The inbound limit is lifted to what Triton itself allows
     * (INT32_MAX; grpc-java's default of 4 MiB fails on long batched outputs). No keepalive pings: Triton's
     * defaults strike idle pings more often than every 5 minutes.
     */
    public static ManagedChannel plaintext(String endpoint) {
        return NettyChannelBuilder.forTarget(endpoint)
                .usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .build();
    }

    /** Graceful shutdown, then forced after five seconds. */
    public static void close(ManagedChannel channel) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
