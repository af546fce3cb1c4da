package dev.sluice.backend;

import io.grpc.Status;

/** The one place that decides which gRPC status codes are worth a retry. */
public final class GrpcErrors {

    private GrpcErrors() {}

    /** Classifies a failed call to {@code endpoint}; the server's description is kept, its cause is not. */
    public static BackendException classify(String endpoint, Throwable failure) {
        if (failure instanceof BackendException backendException) {
            return backendException;
        }
        Status status = Status.fromThrowable(failure);
        String message = endpoint + ": " + status.getCode()
                + (status.getDescription() == null ? "" : " " + status.getDescription());
        if (status.getCode() == Status.Code.UNIMPLEMENTED && message.contains("decoupled")) {
            message += " (the model streams: call it with ModelStreamInfer, streaming: auto or on)";
        }
        return isRetryable(status.getCode())
                ? BackendException.retryable(message, failure)
                : BackendException.permanent(message, failure);
    }

    /** Overload, restarts and timeouts pass; bad requests, missing models and protocol mismatches repeat. */
    public static boolean isRetryable(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED -> true;
            default -> false;
        };
    }
}
