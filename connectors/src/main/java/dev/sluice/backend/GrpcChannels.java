package dev.sluice.backend;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds and closes the channels backends are handed. */
public final class GrpcChannels {

    private GrpcChannels() {}

    /** A plaintext channel without credentials. */
    public static ManagedChannel plaintext(String endpoint) {
        return open(endpoint, TransportSecurity.plaintext(), CallCredentials.none());
    }

    /**
     * A channel to {@code host:port}. The inbound limit is lifted to what Triton itself allows (INT32_MAX;
     * grpc-java's default of 4 MiB fails on long batched outputs). No keepalive pings on idle connections:
     * Triton's defaults strike a client that pings more often than every 5 minutes without calls
     * ({@code --grpc-http2-min-recv-ping-interval-without-data} 300000 ms), and a GOAWAY "too_many_pings" follows.
     */
    public static ManagedChannel open(String endpoint, TransportSecurity security, CallCredentials credentials) {
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(endpoint, channelCredentials(security))
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .keepAliveWithoutCalls(false);
        if (security.authority() != null) {
            builder.overrideAuthority(security.authority());
        }
        Map<String, String> headers = credentials.resolve();
        if (!headers.isEmpty()) {
            builder.intercept(headersInterceptor(headers));
        }
        return builder.build();
    }

    private static ClientInterceptor headersInterceptor(Map<String, String> headers) {
        Metadata metadata = new Metadata();
        headers.forEach((name, value) -> metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
        return MetadataUtils.newAttachHeadersInterceptor(metadata);
    }

    private static ChannelCredentials channelCredentials(TransportSecurity security) {
        if (!security.isTls()) {
            return InsecureChannelCredentials.create();
        }
        try {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder()
                    .trustManager(security.caCertificate().toFile());
            if (security.clientCertificate() != null) {
                tls.keyManager(security.clientCertificate().toFile(), security.clientKey().toFile());
            }
            return tls.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS files " + security, e);
        }
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
