package dev.sluice.backend;

import dev.sluice.backend.openai.OpenAiBackend;
import dev.sluice.backend.sglang.SglangNativeBackend;
import dev.sluice.backend.sglang.SglangOptions;
import dev.sluice.backend.sglang.SglangSchedulerBackend;
import dev.sluice.backend.triton.TritonBackend;
import dev.sluice.backend.triton.TritonModelOptions;
import dev.sluice.backend.triton.TritonTensorNames;
import io.grpc.Channel;

/**
 * Builds the backend a {@link BackendSpec} describes: over gRPC on a channel its caller owns, over HTTP on a client
 * of its own.
 */
public final class Backends {

    private Backends() {}

    /** @param channel the channel to the server for a gRPC protocol; null for {@code openai} */
    public static InferenceBackend create(BackendSpec spec, Channel channel) {
        return switch (spec.protocol()) {
            case TRITON -> new TritonBackend(channel, spec.endpoint(), new TritonModelOptions(spec.servedName(), "",
                    TritonTensorNames.named(spec.tritonTensors()), spec.maxBatchSize(), spec.tritonStreaming(),
                    spec.callTimeout(), spec.guidedDecoding(), spec.priorityScheduling() ? spec.priorityLevels() : 0,
                    spec.metricsPage()));
            case SGLANG_SMG -> new SglangSchedulerBackend(channel, spec.endpoint(),
                    new SglangOptions(spec.tokenizerDirectory(), spec.callTimeout()));
            case SGLANG_NATIVE -> new SglangNativeBackend(channel, spec.endpoint(),
                    new SglangOptions(spec.tokenizerDirectory(), spec.callTimeout()));
            case OPENAI -> OpenAiBackend.open(spec);
        };
    }
}
