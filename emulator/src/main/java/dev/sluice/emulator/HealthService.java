package dev.sluice.emulator;

import dev.sluice.proto.health.HealthCheckRequest;
import dev.sluice.proto.health.HealthCheckResponse;
import dev.sluice.proto.health.HealthGrpc;
import io.grpc.stub.StreamObserver;

/** {@code grpc.health.v1.Health/Check}: the whole server is serving while it runs. */
final class HealthService extends HealthGrpc.HealthImplBase {

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
        response.onNext(HealthCheckResponse.newBuilder()
                .setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
        response.onCompleted();
    }
}
