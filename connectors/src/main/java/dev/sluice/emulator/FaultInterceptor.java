package dev.sluice.emulator;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/** Fails inference calls as {@link Faults} say, before they reach the service. */
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
        if (INFERENCE_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
            String failure = faults.failureForNextCall();
            if (failure != null) {
                call.close(Status.fromCode(Status.Code.valueOf(failure))
                        .withDescription("emulated fault: " + failure.toLowerCase()), new Metadata());
                return new ServerCall.Listener<>() { };
            }
        }
        return next.startCall(call, headers);
    }
}
