package dev.sluice.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A request the API refuses, answered as the hosted API answers: a status and an {@code error} object. */
final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;

    ApiException(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", "invalid_value", param, message);
    }

    /** Unknown, expired or another tenant's: the same answer, so an id says nothing of whose it is. */
    static ApiException notFound(String kind, String id) {
        return new ApiException(404, "invalid_request_error", null, "id", "No such " + kind + " object: " + id);
    }

    static ApiException unauthorized() {
        return new ApiException(401, "invalid_request_error", "invalid_api_key",
                null, "Incorrect API key provided. Send it as 'Authorization: Bearer <key>'.");
    }

    int status() {
        return status;
    }

    ObjectNode body() {
        ObjectNode body = ApiJson.MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return body;
    }
}
