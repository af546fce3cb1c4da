package dev.sluice.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bulk.BulkInput;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of {@code POST /v1/batches}, checked as the hosted API checks it.
 *
 * @param outputExpiresAfter seconds after the batch's creation its output and error files expire, or null for the
 *     store's default
 */
record BatchRequest(String inputFileId, String endpoint, String completionWindow, Map<String, String> metadata,
        Long outputExpiresAfter) {

    /** The hosted API's limits on metadata and on how long outputs may be kept. */
    static final int METADATA_PAIRS = 16;
    static final int METADATA_KEY_CHARS = 64;
    static final int METADATA_VALUE_CHARS = 512;
    static final long MIN_EXPIRY_SECONDS = 3600;
    static final long MAX_EXPIRY_SECONDS = 2_592_000;

    /** The one completion window the hosted API accepts. */
    static final String WINDOW = "24h";

    static BatchRequest of(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "the body must be a JSON object");
        }
        String inputFileId = text(body, "input_file_id");
        String endpoint = text(body, "endpoint");
        if (!BulkInput.ENDPOINTS.contains(endpoint)) {
            throw ApiException.invalid("endpoint", "endpoint must be one of " + BulkInput.ENDPOINTS
                    + ", got '" + endpoint + "'");
        }
        String window = text(body, "completion_window");
        if (!BatchRequest.WINDOW.equals(window)) {
            throw ApiException.invalid("completion_window", "completion_window must be '" + BatchRequest.WINDOW
                    + "'");
        }
        return new BatchRequest(inputFileId, endpoint, window, metadata(body.get("metadata")),
                expiry(body.get("output_expires_after"), "output_expires_after"));
    }

    /** {@code expires_after} of a file or {@code output_expires_after} of a batch: seconds after creation. */
    static Long expiry(JsonNode expiresAfter, String param) {
        if (expiresAfter == null || expiresAfter.isNull()) {
            return null;
        }
        JsonNode anchor = expiresAfter.get("anchor");
        JsonNode seconds = expiresAfter.get("seconds");
        if (anchor == null || !"created_at".equals(anchor.asText()) || seconds == null || !seconds.canConvertToLong()
                || seconds.asLong() < MIN_EXPIRY_SECONDS || seconds.asLong() > MAX_EXPIRY_SECONDS) {
            throw ApiException.invalid(param, param + " needs anchor 'created_at' and seconds from "
                    + MIN_EXPIRY_SECONDS + " to " + MAX_EXPIRY_SECONDS);
        }
        return seconds.asLong();
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw ApiException.invalid(field, field + " is required and must be a string");
        }
        return value.textValue();
    }

    private static Map<String, String> metadata(JsonNode metadata) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (metadata == null || metadata.isNull()) {
            return pairs;
        }
        if (!metadata.isObject() || metadata.size() > METADATA_PAIRS) {
            throw ApiException.invalid("metadata", "metadata must be an object of at most " + METADATA_PAIRS
                    + " string pairs");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = metadata.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> pair = fields.next();
            if (pair.getKey().length() > METADATA_KEY_CHARS || !pair.getValue().isTextual()
                    || pair.getValue().textValue().length() > METADATA_VALUE_CHARS) {
                throw ApiException.invalid("metadata", "metadata keys may have " + METADATA_KEY_CHARS
                        + " characters and values must be strings of at most " + METADATA_VALUE_CHARS);
            }
            pairs.put(pair.getKey(), pair.getValue().textValue());
        }
        return pairs;
    }
}
