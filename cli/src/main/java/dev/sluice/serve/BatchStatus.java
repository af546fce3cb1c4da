package dev.sluice.serve;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A batch's status, as the Batch API names them. */
public enum BatchStatus {
    VALIDATING, FAILED, IN_PROGRESS, FINALIZING, COMPLETED, EXPIRED, CANCELLING, CANCELLED;

    @JsonValue
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean isFinal() {
        return this == FAILED || this == COMPLETED || this == EXPIRED || this == CANCELLED;
    }
}
