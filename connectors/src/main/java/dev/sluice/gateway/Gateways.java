package dev.sluice.gateway;

import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.Backends;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One gateway per deployment in this JVM, shared by every task that sends to it (in Flink: every subtask of a
 * TaskManager), so batching and the concurrency limit see all the traffic to a server. Each holder acquires and
 * releases; the last release closes the gateway, its backend and its channel.
 */
public final class Gateways {

    private static final Map<List<BackendSpec>, Shared> SHARED = new HashMap<>();

    private Gateways() {}

    private static final class Shared {
        final List<ManagedChannel> channels;
        final List<InferenceBackend> backends;
        final Gateway gateway;
        int holders;

        Shared(List<ManagedChannel> channels, List<InferenceBackend> backends, Gateway gateway) {
            this.channels = channels;
            this.backends = backends;
            this.gateway = gateway;
        }
    }

    /**
     * The deployment's gateway over its replicas, made on first use. It does not wait for any server: the gateway
     * checks each replica's readiness on its own threads. Throws only if a channel cannot be built (unreadable TLS
     * files, a missing secret).
     */
    public static synchronized Gateway acquire(List<BackendSpec> replicas, GatewayOptions options) {
        Shared shared = SHARED.get(replicas);
        if (shared == null) {
            List<ManagedChannel> channels = new ArrayList<>();
            List<InferenceBackend> backends = new ArrayList<>();
            try {
                for (BackendSpec spec : replicas) {
                    ManagedChannel channel = null;
                    if (spec.protocol().overGrpc()) {
                        channel = GrpcChannels.open(spec.endpoint(), spec.security(), spec.credentials());
                        channels.add(channel);
                    }
                    backends.add(Backends.create(spec, channel));
                }
                shared = new Shared(channels, backends, new Gateway(backends, options));
            } catch (RuntimeException e) {
                backends.forEach(InferenceBackend::close);
                channels.forEach(GrpcChannels::close);
                throw e;
            }
            SHARED.put(List.copyOf(replicas), shared);
        }
        shared.holders++;
        return shared.gateway;
    }

    public static void release(List<BackendSpec> replicas) {
        Shared shared;
        synchronized (Gateways.class) {
            shared = SHARED.get(replicas);
            if (shared == null || --shared.holders > 0) {
                return;
            }
            SHARED.remove(replicas);
        }
        // Outside the lock: closing fails what the gateway still holds, and those requests' callbacks (a
        // failover) may acquire another gateway; the channels also take up to seconds to shut down.
        shared.gateway.close();
        shared.backends.forEach(InferenceBackend::close);
        shared.channels.forEach(GrpcChannels::close);
    }
}
