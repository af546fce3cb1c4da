package dev.sluice.demo;

import java.util.Objects;

/**
 * What one request of the samples, or one sample record in which no request id can be read, must end as: exactly
 * one outcome, this one.
 *
 * @param requestId the request's id; null for a record in which none can be read, whose outcome is then told by
 *     the record's position
 * @param record the index of the record it travels in, in publishing order
 * @param origin where it is in the samples: {@code FILE:LINE}, or what a record the demo makes is
 * @param outcome the outcome it must end as; null where its samples declare none and any one outcome will do
 * @param jsonSchema the request's {@code structure.json_schema}, or the schema of a call of its tools, which its
 *     completion must be valid against; null for none
 */
public record Expectation(String requestId, int record, String origin, Outcome outcome, String jsonSchema) {

    /** How the demo names the expectation of samples that declare none: any one outcome. */
    public static final String ANY = "ANY";

    public Expectation {
        Objects.requireNonNull(origin, "origin");
        if (record < 0) {
            throw new IllegalArgumentException("record index " + record + " is negative");
        }
    }

    /** The expectation of a request without a JSON schema, or of a record. */
    public Expectation(String requestId, int record, String origin, Outcome outcome) {
        this(requestId, record, origin, outcome, null);
    }

    /** Whether {@code actual}, as its only outcome, is what was expected. */
    public boolean admits(Outcome actual) {
        return outcome == null || outcome.equals(actual);
    }

    /** What it is, for a person: the request id and where it is, or only where the record is. */
    public String subject() {
        return requestId == null ? origin : requestId + " (" + origin + ")";
    }

    /** The expected outcome as the demo prints it. */
    public String expected() {
        return outcome == null ? ANY : outcome.toString();
    }
}
