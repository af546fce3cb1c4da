package dev.sluice.serve;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A batch as the Batch API describes it; times in Unix seconds. Each status change returns a new one with the time
 * that status began.
 *
 * @param model the models that served it, once it has ended
 * @param outputExpiresAt when its output and error files expire, from {@code output_expires_after}; not part of the
 *     hosted API's object, kept with it until the files exist
 */
@JsonIgnoreProperties(value = "object", allowGetters = true)
public record Batch(String id, String endpoint, String model, Errors errors, String inputFileId,
        String completionWindow, BatchStatus status, String outputFileId, String errorFileId, long createdAt,
        Long inProgressAt, Long expiresAt, Long finalizingAt, Long completedAt, Long failedAt, Long expiredAt,
        Long cancellingAt, Long cancelledAt, RequestCounts requestCounts, Map<String, String> metadata, Usage usage,
        Long outputExpiresAt) {

    /** What was wrong with a batch's input, one entry per problem. */
    @JsonIgnoreProperties(value = "object", allowGetters = true)
    public record Errors(List<Error> data) {
        @JsonProperty("object")
        public String object() {
            return "list";
        }
    }

    /**
     * @param line the input line, from 1, or null when the problem is not a line's
     * @param param the field at fault, or null
     */
    public record Error(String code, String message, String param, Integer line) {}

    public record RequestCounts(int total, int completed, int failed) {

        static final RequestCounts NONE = new RequestCounts(0, 0, 0);
    }

    /** Tokens the batch used, in the hosted API's form. */
    public record Usage(long inputTokens, Details inputTokensDetails, long outputTokens,
            ReasoningDetails outputTokensDetails, long totalTokens) {

        public record Details(long cachedTokens) {}

        public record ReasoningDetails(long reasoningTokens) {}

        static Usage of(long input, long cached, long output) {
            return new Usage(input, new Details(cached), output, new ReasoningDetails(0), input + output);
        }
    }

    @JsonProperty("object")
    public String object() {
        return "batch";
    }

    static Batch validating(String id, String endpoint, String inputFileId, String completionWindow, long now,
            long expiresAt, Map<String, String> metadata, Long outputExpiresAt) {
        return new Batch(id, endpoint, null, null, inputFileId, completionWindow, BatchStatus.VALIDATING, null, null,
                now, null, expiresAt, null, null, null, null, null, null, RequestCounts.NONE, metadata,
                Usage.of(0, 0, 0), outputExpiresAt);
    }

    Batch failed(List<Error> problems, long now) {
        return new Batch(id, endpoint, model, new Errors(problems), inputFileId, completionWindow, BatchStatus.FAILED,
                null, null, createdAt, inProgressAt, expiresAt, finalizingAt, completedAt, now, expiredAt,
                cancellingAt, cancelledAt, requestCounts, metadata, usage, outputExpiresAt);
    }

    Batch inProgress(int total, long now) {
        return new Batch(id, endpoint, model, errors, inputFileId, completionWindow, BatchStatus.IN_PROGRESS,
                outputFileId, errorFileId, createdAt, now, expiresAt, finalizingAt, completedAt, failedAt, expiredAt,
                cancellingAt, cancelledAt, new RequestCounts(total, 0, 0), metadata, usage, outputExpiresAt);
    }

    Batch cancelling(long now) {
        return new Batch(id, endpoint, model, errors, inputFileId, completionWindow, BatchStatus.CANCELLING,
                outputFileId, errorFileId, createdAt, inProgressAt, expiresAt, finalizingAt, completedAt, failedAt,
                expiredAt, now, cancelledAt, requestCounts, metadata, usage, outputExpiresAt);
    }

    /** The counts and tokens so far, as the run's state says. */
    Batch progressed(RequestCounts counts, Usage used) {
        return new Batch(id, endpoint, model, errors, inputFileId, completionWindow, status, outputFileId,
                errorFileId, createdAt, inProgressAt, expiresAt, finalizingAt, completedAt, failedAt, expiredAt,
                cancellingAt, cancelledAt, counts, metadata, used, outputExpiresAt);
    }

    Batch finalizing(long now) {
        return new Batch(id, endpoint, model, errors, inputFileId, completionWindow, BatchStatus.FINALIZING,
                outputFileId, errorFileId, createdAt, inProgressAt, expiresAt, now, completedAt, failedAt, expiredAt,
                cancellingAt, cancelledAt, requestCounts, metadata, usage, outputExpiresAt);
    }

    /** Ended as {@code status} (completed, expired or cancelled) with its files written. */
    Batch ended(BatchStatus status, long now, String servedBy, String outputFile, String errorFile) {
        return new Batch(id, endpoint, servedBy, errors, inputFileId, completionWindow, status, outputFile, errorFile,
                createdAt, inProgressAt, expiresAt, finalizingAt,
                status == BatchStatus.COMPLETED ? Long.valueOf(now) : completedAt, failedAt,
                status == BatchStatus.EXPIRED ? Long.valueOf(now) : expiredAt,
                cancellingAt, status == BatchStatus.CANCELLED ? Long.valueOf(now) : cancelledAt, requestCounts,
                metadata, usage, outputExpiresAt);
    }
}
