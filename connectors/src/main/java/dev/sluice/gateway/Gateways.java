package dev.sluice.gateway;

import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.Backends;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import io.grpc.ManagedChannel;
import java.util.HashMap;
import java.util.Map;

/**
 * One gateway per deployment in this JVM, shared by every task that sends to it (in Flink: every subtask of a
 * TaskManager), so batching and the concurrency limit see all the traffic to a server. Each holder acquires and
 * releases; the last release closes the gateway, its backend and its channel.
 */
public final class Gateways {

    private static final Map<BackendSpec, Shared> SHARED = new HashMap<>();

    private Gateways() {}

    private static final class Shared {
        final ManagedChannel channel;
        final InferenceBackend backend;
        final Gateway gateway;
        int holders;

        Shared(ManagedChannel channel, InferenceBackend backend, Gateway gateway) {
            this.channel = channel;
            this.backend = backend;
            this.gateway = gateway;
        }
    }

    /** The deployment's gateway, made and its server checked on first use; throws if the server is not ready. */
    public static synchronized Gateway acquire(BackendSpec spec, GatewayOptions options) {
        Shared shared = SHARED.get(spec);
        if (shared == null) {
            ManagedChannel channel = GrpcChannels.open(spec.endpoint(), spec.security(), spec.credentials());
            try {
                InferenceBackend backend = Backends.create(spec, channel);
                backend.checkReady();
                shared = new Shared(channel, backend, new Gateway(backend, options));
            } catch (RuntimeException e) {
                GrpcChannels.close(channel);
                throw e;
            }
            SHARED.put(spec, shared);
        }
        shared.holders++;
        return shared.gateway;
    }

    public static synchronized void release(BackendSpec spec) {
        Shared shared = SHARED.get(spec);
        if (shared != null && --shared.holders == 0) {
            SHARED.remove(spec);
            shared.gateway.close();
            shared.backend.close();
            GrpcChannels.close(shared.channel);
        }
    }
}
