package dev.sluice.routing;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** Whether a licence allows commercial use. */
public enum Commercial {
    /** Apache-2.0, MIT: only notices on redistribution. */
    YES,
    /** Allowed under conditions: MAU thresholds, acceptable-use terms, attribution. */
    CONDITIONAL,
    /** Research or non-commercial use only. */
    NO;

    /** Reads {@code yes}, {@code conditional} or {@code no}; YAML 1.1 turns a bare yes or no into a boolean. */
    @JsonCreator
    public static Commercial of(Object value) {
        if (value instanceof Boolean flag) {
            return flag ? YES : NO;
        }
        try {
            return valueOf(String.valueOf(value).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("commercial must be yes, conditional or no, not '" + value + "'");
        }
    }
}
