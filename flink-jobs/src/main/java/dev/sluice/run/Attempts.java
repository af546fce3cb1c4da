package dev.sluice.run;

/**
 * The request ids of a bulk run's retries. Attempt 0 is the first publication, {@code RUN#INDEX} (or
 * {@code RUN#INDEX.PART}); attempt N republishes the same request as {@code RUN#INDEX~N}. Every attempt has an id of
 * its own, so the pipeline's once-per-request-id checks hold for each, and the attempt can be read back from any
 * outcome's request id. Run ids cannot contain {@code ~} ({@code BulkSubmitter.RUN_ID}), so the suffix is
 * unambiguous.
 */
public final class Attempts {

    static final char SEPARATOR = '~';

    private Attempts() {}

    /** The id of attempt {@code attempt} of the request first published as {@code firstId}. */
    public static String requestId(String firstId, int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("an attempt is 0 or more, got " + attempt);
        }
        if (firstId.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("not a first attempt's request id: " + firstId);
        }
        return attempt == 0 ? firstId : firstId + SEPARATOR + attempt;
    }

    /** The attempt {@code requestId} is: the number after its last {@code ~}, else 0 (and 0 for an id of no run). */
    public static int of(String requestId) {
        int at = requestId == null ? -1 : requestId.lastIndexOf(SEPARATOR);
        if (at < 0) {
            return 0;
        }
        try {
            return Integer.parseInt(requestId, at + 1, requestId.length(), 10);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
