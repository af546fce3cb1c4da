package dev.sluice.emulator;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Refuses calls without the expected {@code authorization: Bearer ...} header, as a secured server would. */
final class BearerTokenCheck implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String expected;

    BearerTokenCheck(String token) {
        this.expected = "Bearer " + token;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!expected.equals(headers.get(AUTHORIZATION))) {
            call.close(Status.UNAUTHENTICATED.withDescription("missing or wrong bearer token"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
