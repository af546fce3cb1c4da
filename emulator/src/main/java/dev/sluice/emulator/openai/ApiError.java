package dev.sluice.emulator.openai;

/**
 * A request the server refuses, with what every dialect's error body is made of. The {@code type} strings are
 * OpenAI-like and informative only: clients branch on the HTTP status.
 */
final class ApiError extends RuntimeException {

    /** Servers shedding load ask clients to wait; Faults' overload has no duration, so the shortest whole wait. */
    private static final int OVERLOAD_RETRY_AFTER_SECONDS = 1;

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Integer retryAfterSeconds;

    private ApiError(int status, String message, String type, String param, String code, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ApiError badRequest(String message, String param) {
        return new ApiError(400, message, "invalid_request_error", param, null, null);
    }

    static ApiError unauthorized() {
        return new ApiError(401, "missing or wrong bearer token", "authentication_error", null, "invalid_api_key",
                null);
    }

    static ApiError modelNotFound(String model) {
        return new ApiError(404, "The model `" + model + "` does not exist.", "invalid_request_error", "model",
                "model_not_found", null);
    }

    static ApiError noRoute(String method, String path) {
        return new ApiError(404, "no route for " + method + " " + path, "invalid_request_error", null, null, null);
    }

    /** What an injected fault, named by its gRPC status code as {@code Faults} gives it, is over HTTP. */
    static ApiError fault(String grpcCode) {
        String message = "emulated fault: " + grpcCode.toLowerCase(java.util.Locale.ROOT);
        return switch (grpcCode) {
            case "UNAVAILABLE" -> new ApiError(503, message, "unavailable_error", null, null, null);
            case "RESOURCE_EXHAUSTED" -> new ApiError(429, message, "rate_limit_error", null, "rate_limit_exceeded",
                    OVERLOAD_RETRY_AFTER_SECONDS);
            case "INVALID_ARGUMENT" -> badRequest(message, null);
            default -> new ApiError(500, message, "server_error", null, null, null);
        };
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }

    /** OpenAI's string code, such as {@code model_not_found}; null when OpenAI would send none. */
    String code() {
        return code;
    }

    /** Seconds for a {@code Retry-After} header, or null for none. */
    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
