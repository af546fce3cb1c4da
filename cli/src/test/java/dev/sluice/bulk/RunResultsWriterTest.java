package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RouteExplanation;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import dev.sluice.serde.JsonAvro;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link RunResultsWriter} over {@link RunOutcomes}. */
class RunResultsWriterTest {

    @TempDir
    Path dir;

    @Test
    void resultsAreInInputOrderWithPartsJoinedAndEveryOtherItemInTheErrorFile() throws IOException {
        List<Completion> completions = List.of(
                // Arrival order is not input order, and parts arrive out of order too.
                completion("run", 2, "c", null, "second part", 1, 2),
                completion("run", 0, "a", null, "alpha", null, null),
                completion("run", 2, "c", null, "first part", 0, 2),
                completion("run", 3, "d", null, "half", 0, 2),
                completion("other-run", 1, "x", null, "not ours", null, null));
        List<Reject> rejects = List.of(
                reject("run", 1, "b", RejectReason.NO_ELIGIBLE_MODEL),
                reject("run", 0, "a", RejectReason.DUPLICATE_REQUEST));

        RunResultsWriter.Summary summary = write(5, RunStatus.EXPIRED,
                RunOutcomes.of("acme", "run", completions, rejects));

        List<JsonNode> results = lines(dir.resolve("out.jsonl"));
        List<JsonNode> errors = lines(dir.resolve("errors.jsonl"));
        assertThat(results).extracting(r -> r.get("custom_id").asText()).containsExactly("a", "c");
        assertThat(results.get(1).get("text").asText()).isEqualTo("first part\n\nsecond part");
        assertThat(results.get(1).get("parts").asInt()).isEqualTo(2);
        assertThat(results.get(1).get("completion_tokens").asInt()).isEqualTo(6);
        assertThat(results.get(1).get("license").asText()).isEqualTo("llama3.1");
        assertThat(results.get(1).get("obligations")).extracting(JsonNode::asText)
                .as("every part's, once each").containsExactly("AUP: use is bound", "part 0", "part 1");
        assertThat(errors).extracting(e -> e.get("index").asInt()).containsExactly(1, 3, 4);
        assertThat(errors).extracting(e -> e.get("reason").asText())
                .containsExactly("NO_ELIGIBLE_MODEL", "INCOMPLETE", "NO_OUTCOME");
        assertThat(errors.get(1).get("message").asText()).isEqualTo("1 of 2 parts answered");
        assertThat(errors.get(2).get("message").asText()).contains("expired");
        assertThat(summary).isEqualTo(new RunResultsWriter.Summary(5, 2, 3, RunResultsWriter.Verdict.PARTIAL));
    }

    @Test
    void aRunIsCompleteWhenEveryItemIsServedAndFailedWhenNoneIsOrItsInputWasInvalid() throws IOException {
        RunOutcomes served = RunOutcomes.of("acme", "run",
                List.of(completion("run", 0, "a", null, "x", null, null)), List.of());
        RunOutcomes none = RunOutcomes.of("acme", "run", List.of(),
                List.of(reject("run", 0, "a", RejectReason.CANCELLED)));

        assertThat(write(1, RunStatus.COMPLETED, served).verdict()).isEqualTo(RunResultsWriter.Verdict.COMPLETE);
        assertThat(write(1, RunStatus.CANCELLED, none).verdict()).isEqualTo(RunResultsWriter.Verdict.FAILED);
        assertThat(write(0, RunStatus.FAILED, none).verdict()).isEqualTo(RunResultsWriter.Verdict.FAILED);
        assertThat(RunResultsWriter.Verdict.PARTIAL.exitCode).isEqualTo(3);
    }

    @Test
    void anItemWhosePartsAllHaveCompletionsIsServedEvenIfALaterCopyWasRejected() throws IOException {
        RunOutcomes outcomes = RunOutcomes.of("acme", "run",
                List.of(completion("run", 0, "a", null, "x", null, null)),
                List.of(reject("run", 0, "a", RejectReason.DEADLINE_EXCEEDED)));

        assertThat(write(1, RunStatus.COMPLETED, outcomes).verdict()).isEqualTo(RunResultsWriter.Verdict.COMPLETE);
    }

    @Test
    void aRetriedItemIsReportedOnceByItsLatestAttemptWhateverTheOrderItsOutcomesAreReadIn() throws IOException {
        List<Completion> completions = List.of(
                completion("run", 0, "a", "run#0~1", "retried", null, null),
                // A late completion of item 1's first attempt is superseded by its retry's reject.
                completion("run", 1, "b", "run#1", "too late", null, null));
        List<Reject> rejects = List.of(
                reject("run", 0, "a", "run#0", RejectReason.BACKEND_FAILED),
                reject("run", 1, "b", "run#1~2", RejectReason.BACKEND_FAILED),
                reject("run", 1, "b", "run#1~1", RejectReason.DEADLINE_EXCEEDED),
                reject("run", 2, "c", "run#2", RejectReason.NO_ELIGIBLE_MODEL),
                // Item 3's parts: one a retry could help, one it could not.
                reject("run", 3, "d", "run#3.0", RejectReason.DEADLINE_EXCEEDED),
                reject("run", 3, "d", "run#3.1", RejectReason.POLICY_DENIED));
        RunOutcomes outcomes = RunOutcomes.of("acme", "run", completions, rejects);

        RunResultsWriter.Summary summary = write(4, RunStatus.COMPLETED, outcomes);

        assertThat(lines(dir.resolve("out.jsonl"))).extracting(r -> r.get("text").asText()).containsExactly("retried");
        List<JsonNode> errors = lines(dir.resolve("errors.jsonl"));
        assertThat(errors).extracting(e -> e.get("custom_id").asText()).containsExactly("b", "c", "d");
        assertThat(errors).extracting(e -> e.get("reason").asText())
                .containsExactly("BACKEND_FAILED", "NO_ELIGIBLE_MODEL", "POLICY_DENIED");
        assertThat(summary).isEqualTo(new RunResultsWriter.Summary(4, 1, 3, RunResultsWriter.Verdict.PARTIAL));
        assertThat(outcomes.retryable()).containsExactly(1L);
        assertThat(outcomes.item(1).attempt()).isEqualTo(2);
        assertThat(outcomes.latestAttempt()).isEqualTo(2);
    }

    @Test
    void aRunThatEndedBeforeItWasSubmittedHasFailed() throws IOException {
        RunState cancelled = RunState.newBuilder().setRunId("run").setTenant("acme").setStatus(RunStatus.CANCELLED)
                .setDoneItems(0).setFailedItems(0).setCancelledItems(0).setPromptTokens(0).setCompletionTokens(0)
                .setCreatedAt(0).setUpdatedAt(0).build();

        RunResultsWriter.Summary summary = RunResultsWriter.write(cancelled,
                RunOutcomes.of("acme", "run", List.of(), List.of()), dir.resolve("out.jsonl"),
                dir.resolve("errors.jsonl"));

        assertThat(summary.verdict()).isEqualTo(RunResultsWriter.Verdict.FAILED);
    }

    private RunResultsWriter.Summary write(int total, RunStatus status, RunOutcomes outcomes) throws IOException {
        RunState state = RunState.newBuilder().setRunId("run").setTenant("acme").setStatus(status)
                .setTotalItems(total).setDoneItems(0).setFailedItems(0).setCancelledItems(0).setPromptTokens(0)
                .setCompletionTokens(0).setCreatedAt(0).setUpdatedAt(0).build();
        return RunResultsWriter.write(state, outcomes, dir.resolve("out.jsonl"), dir.resolve("errors.jsonl"));
    }

    private static Completion completion(String run, long item, String customId, String requestId, String text,
            Integer part, Integer parts) {
        return Completion.newBuilder()
                .setRequestId(requestId != null ? requestId : run + "#" + item + (part == null ? "" : "." + part))
                .setRunId(run).setItemIndex(item).setItemId(customId).setChunkIndex(part).setChunkCount(parts)
                .setTenant("acme").setModelId("m").setBackend("triton").setEndpoint("e").setText(text)
                .setFinishReason("stop").setPromptTokens(2).setCompletionTokens(3)
                .setTimings(new CompletionTimings(0L, 0L, 0L, 0L)).setRoute(new RouteExplanation("test", List.of()))
                .setLicense("llama3.1").setObligations(List.of("AUP: use is bound", "part " + part))
                .build();
    }

    private static Reject reject(String run, long item, String customId, RejectReason reason) {
        return reject(run, item, customId, run + "#" + item, reason);
    }

    private static Reject reject(String run, long item, String customId, String requestId, RejectReason reason) {
        return Reject.newBuilder().setRequestId(requestId).setTenant("acme").setReason(reason)
                .setMessage(reason.name()).setRejectedAt(0).setRunId(run).setItemIndex(item).setItemId(customId)
                .build();
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(JsonAvro.mapper().readTree(line));
        }
        return nodes;
    }
}
