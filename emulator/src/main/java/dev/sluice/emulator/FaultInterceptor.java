package dev.sluice.emulator;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Fails calls as {@link Faults} say, before they reach the service: during an outage every call, health and
 * metadata too, as a server that is down answers none; otherwise only inference calls meet injected errors.
 */
final class FaultInterceptor implements ServerInterceptor {

    private static final Set<String> INFERENCE_METHODS = Set.of(
            "inference.GRPCInferenceService/ModelInfer",
            "inference.GRPCInferenceService/ModelStreamInfer",
            "sglang.grpc.scheduler.SglangScheduler/Generate",
            "sglang.runtime.v1.SglangService/TextGenerate");

    private final Faults faults;

    FaultInterceptor(Faults faults) {
        this.faults = faults;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        boolean inference = INFERENCE_METHODS.contains(call.getMethodDescriptor().getFullMethodName());
        String failure = inference ? faults.failureForNextCall() : faults.isUnavailable() ? "UNAVAILABLE" : null;
        if (failure != null) {
            call.close(Status.fromCode(Status.Code.valueOf(failure))
                    .withDescription("emulated fault: " + failure.toLowerCase()), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
