package dev.sluice.serve;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A stored file, as the Files API describes it.
 *
 * @param id {@code file-} and 24 hex digits
 * @param bytes its size
 * @param createdAt Unix seconds
 * @param filename the name it was uploaded with, or the name given to a produced file
 * @param purpose {@code batch} for an upload, {@code batch_output} for a batch's output and error files
 * @param expiresAt Unix seconds after which it is gone, or null
 */
@JsonIgnoreProperties(value = {"object", "status", "status_details"}, allowGetters = true)
public record FileObject(String id, long bytes, long createdAt, String filename, String purpose, Long expiresAt) {

    static final String BATCH = "batch";
    static final String BATCH_OUTPUT = "batch_output";

    @JsonProperty("object")
    public String object() {
        return "file";
    }

    /** Deprecated in the hosted API, still in its objects: a stored file is always processed here. */
    @JsonProperty("status")
    public String status() {
        return "processed";
    }

    @JsonProperty("status_details")
    public String statusDetails() {
        return null;
    }

    boolean isExpired(long nowSeconds) {
        return expiresAt != null && expiresAt <= nowSeconds;
    }
}
