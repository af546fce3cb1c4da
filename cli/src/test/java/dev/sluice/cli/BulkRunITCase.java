package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bulk.BulkInput;
import dev.sluice.bulk.BulkRequests;
import dev.sluice.bulk.RunPublisher;
import dev.sluice.schema.Completion;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import dev.sluice.schema.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice bulk} end to end, through the real command line, against the pipeline started by
 * {@code sluice run} on a real broker and an emulated Triton server: JSONL and CSV runs collected in input order
 * with per-item failures, a document split to fit the model's context and put back together, a submission resumed
 * after its submitter stopped half-way, a cancelled run, a run past its deadline, and an input that fails
 * validation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkRunITCase {

    private static final String TENANT = BulkPipeline.TENANT;

    private Path dir;
    private BulkPipeline pipeline;

    @BeforeAll
    void startThePipeline(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        pipeline = BulkPipeline.start(dir, "bulk-it", "");
    }

    @AfterAll
    void stop() throws Exception {
        pipeline.close();
    }

    @Test
    void aJsonlRunIsCollectedInInputOrderWithItsFailedItemsApart() throws Exception {
        Path input = dir.resolve("questions.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Every 50th is a conversation longer than any model's context: it fails alone.
            String content = i % 50 == 7 ? "word ".repeat(5_000) : "question " + i;
            lines.add(i % 2 == 0
                    ? "{\"custom_id\": \"q-" + i + "\", \"text\": \"" + content + "\"}"
                    : "{\"custom_id\": \"q-" + i + "\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
                            + "\"body\": {\"model\": \"any\", \"messages\": [{\"role\": \"user\", \"content\": \""
                            + content + "\"}], \"max_tokens\": 8}}");
        }
        Files.write(input, lines);
        Path output = dir.resolve("questions.out.jsonl");

        int exit = pipeline.bulk("submit", "--input", input.toString(), "--run-id", "jsonl-run", "--max-tokens",
                "8", "--wait", "--output", output.toString(), "--timeout", "PT2M");

        List<JsonNode> results = BulkPipeline.jsonLines(output);
        List<JsonNode> errors = BulkPipeline.jsonLines(Path.of(output + ".errors.jsonl"));
        List<Integer> failing = IntStream.range(0, 300).filter(i -> i % 50 == 7).boxed().toList();
        assertThat(exit).as("partial").isEqualTo(3);
        assertThat(results).extracting(r -> r.get("custom_id").asText())
                .containsExactlyElementsOf(IntStream.range(0, 300).filter(i -> !failing.contains(i))
                        .mapToObj(i -> "q-" + i).toList());
        assertThat(results).allSatisfy(r -> {
            assertThat(r.get("text").asText()).isNotBlank();
            assertThat(r.get("model").asText()).isEqualTo("text-model");
            assertThat(r.get("completion_tokens").asInt()).isBetween(1, 8);
        });
        assertThat(errors).extracting(e -> e.get("custom_id").asText())
                .containsExactlyElementsOf(failing.stream().map(i -> "q-" + i).toList());
        assertThat(errors).allSatisfy(e -> assertThat(e.get("reason").asText()).isEqualTo("NO_ELIGIBLE_MODEL"));
        RunState state = pipeline.state("jsonl-run");
        assertThat(state.getStatus()).isEqualTo(RunStatus.COMPLETED);
        assertThat(state.getDoneItems()).isEqualTo(300 - failing.size());
        assertThat(state.getFailedItems()).isEqualTo(failing.size());
        // The served items' tokens at the deployment's price: 1,000 a million prompt tokens, 2,000 completion.
        assertThat(state.getCost()).isCloseTo(
                (state.getPromptTokens() * 1000.0 + state.getCompletionTokens() * 2000.0) / 1e6, within(1e-9));
    }

    @Test
    void aCsvTranslationSplitsALongDocumentToFitTheModelAndPutsItBackTogether() throws Exception {
        Path input = dir.resolve("catalogue.csv");
        StringBuilder csv = new StringBuilder("sku,description\n");
        for (int i = 0; i < 100; i++) {
            csv.append("sku-").append(i).append(",\"A sturdy, small item number ").append(i).append(".\"\n");
        }
        String paragraph = "This paragraph of the long manual says the same thing again and again. ".repeat(40);
        csv.append("manual,\"").append((paragraph + "\n\n").repeat(12)).append("\"\n");
        Files.writeString(input, csv);
        Path output = dir.resolve("catalogue.ja.jsonl");

        int exit = pipeline.bulk("submit", "--input", input.toString(), "--run-id", "csv-run", "--task",
                "translate", "--source-lang", "en", "--target-lang", "ja", "--column", "description", "--id-column",
                "sku", "--max-tokens", "512", "--wait", "--output", output.toString(), "--timeout", "PT2M");

        List<JsonNode> results = BulkPipeline.jsonLines(output);
        assertThat(exit).as("complete").isZero();
        assertThat(results).hasSize(101);
        assertThat(results.subList(0, 100)).extracting(r -> r.get("custom_id").asText())
                .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "sku-" + i).toList());
        JsonNode manual = results.get(100);
        assertThat(manual.get("custom_id").asText()).isEqualTo("manual");
        assertThat(manual.get("parts").asInt()).isGreaterThan(1);
        List<Completion> parts = pipeline.completions("csv-run").stream().filter(c -> c.getItemIndex() == 100)
                .sorted((a, b) -> a.getChunkIndex() - b.getChunkIndex()).toList();
        assertThat(parts).hasSize(manual.get("parts").asInt());
        assertThat(parts).allSatisfy(part -> assertThat(part.getChunkCount()).isEqualTo(parts.size()));
        assertThat(manual.get("text").asText())
                .isEqualTo(parts.stream().map(Completion::getText).collect(Collectors.joining("\n\n")));
    }

    @Test
    void aResubmissionPublishesOnlyWhatHasNoOutcome() throws Exception {
        Path input = dir.resolve("resume.jsonl");
        Files.write(input, IntStream.range(0, 120)
                .mapToObj(i -> "{\"custom_id\": \"r-" + i + "\", \"text\": \"resume " + i + "\"}").toList());
        // A submitter that stopped half-way: the run submitted, the first 60 requests published.
        List<PromptRequest> requests = BulkRequests.of(BulkInput.read(input, null, null), new BulkRequests.RunSpec(
                "resumed-run", TENANT, Task.CHAT, null, null, null, 8,
                System.currentTimeMillis() + 600_000, 4096));
        try (RunPublisher publisher = new RunPublisher(pipeline.config().kafka())) {
            publisher.send(RunCommand.newBuilder().setRunId("resumed-run").setTenant(TENANT)
                    .setAction(RunAction.SUBMITTED).setTotalItems(120).setDeadline(requests.get(0).getDeadline())
                    .setInputDigest(BulkRequests.digest(requests)).setIssuedAt(System.currentTimeMillis()).build());
            publisher.publish(TENANT, "resumed-run", requests.subList(0, 60), 25, 1 << 20);
        }
        pipeline.awaitState("resumed-run", state -> state.getDoneItems() == 60);
        Path output = dir.resolve("resume.out.jsonl");

        int exit = pipeline.bulk("submit", "--input", input.toString(), "--run-id", "resumed-run", "--max-tokens",
                "8", "--wait", "--output", output.toString(), "--timeout", "PT2M");

        assertThat(exit).isZero();
        assertThat(BulkPipeline.jsonLines(output)).hasSize(120);
        assertThat(pipeline.completions("resumed-run")).extracting(Completion::getRequestId).doesNotHaveDuplicates()
                .hasSize(120);
        assertThat(pipeline.rejects("resumed-run")).as("nothing published twice").isEmpty();
    }

    @Test
    void aCancelledRunReportsItsOutstandingItemsAsCancelled() throws Exception {
        Path input = dir.resolve("cancel.jsonl");
        Files.write(input, IntStream.range(0, 400)
                .mapToObj(i -> "{\"custom_id\": \"c-" + i + "\", \"text\": \"a long answer " + i + "\"}").toList());

        // The server twenty times slower, and 16 requests in flight per subtask: most of the run still waits in the
        // prompts topic when it is cancelled.
        pipeline.emulators().servers().forEach(server -> server.faults().slowdown(20));
        int cancelExit;
        try {
            assertThat(pipeline.bulk("submit", "--input", input.toString(), "--run-id", "cancelled-run")).isZero();
            // Cancelled while it is served: its state is not read here, as the job commits it (with a checkpoint)
            // only once the requests buffered ahead of the checkpoint's barrier are through.
            Thread.sleep(1_500);
            cancelExit = pipeline.bulk("cancel", "cancelled-run", "--timeout", "PT1M");
        } finally {
            pipeline.emulators().servers().forEach(server -> server.faults().clear());
        }
        Path output = dir.resolve("cancel.out.jsonl");
        int collectExit = pipeline.bulk("collect", "cancelled-run", "--output", output.toString());

        RunState state = pipeline.state("cancelled-run");
        assertThat(cancelExit).isZero();
        assertThat(state.getStatus()).isEqualTo(RunStatus.CANCELLED);
        assertThat(state.getCancelledItems()).isGreaterThan(200);
        assertThat(state.getDoneItems() + state.getCancelledItems() + state.getFailedItems()).isEqualTo(400);
        // Requests at the server when the cancel came are cancelled there too, so whether any item was served
        // first is the machine's pace: collect says partial (3) if some were, none (4) if not.
        assertThat(collectExit).as("collect's exit with %d items served", state.getDoneItems())
                .isEqualTo(state.getDoneItems() > 0 ? 3 : 4);
        List<JsonNode> errors = BulkPipeline.jsonLines(Path.of(output + ".errors.jsonl"));
        assertThat(errors).hasSize(state.getCancelledItems() + state.getFailedItems());
        assertThat(errors).filteredOn(e -> e.get("reason").asText().equals("CANCELLED"))
                .hasSize(state.getCancelledItems());
    }

    @Test
    void aRunPastItsDeadlineExpiresAndItsItemsAreRejected() throws Exception {
        Path input = dir.resolve("late.jsonl");
        Files.write(input, IntStream.range(0, 20)
                .mapToObj(i -> "{\"custom_id\": \"l-" + i + "\", \"text\": \"late " + i + "\"}").toList());
        Path output = dir.resolve("late.out.jsonl");

        int exit = pipeline.bulk("submit", "--input", input.toString(), "--run-id", "late-run", "--deadline",
                "PT0.001S", "--wait", "--output", output.toString(), "--timeout", "PT1M");

        assertThat(exit).as("failed").isEqualTo(4);
        RunState state = pipeline.state("late-run");
        assertThat(state.getStatus()).isEqualTo(RunStatus.EXPIRED);
        pipeline.awaitState("late-run", s -> s.getFailedItems() == 20);
        assertThat(pipeline.rejects("late-run")).extracting(Reject::getReason)
                .containsOnly(RejectReason.DEADLINE_EXCEEDED);
    }

    @Test
    void anInputThatDoesNotValidateFailsTheRunAndPublishesNothing() throws Exception {
        Path input = dir.resolve("broken.jsonl");
        Files.write(input, List.of("{\"custom_id\": \"ok\", \"text\": \"fine\"}", "{\"text\": \"no id\"}"));

        int exit = pipeline.bulk("submit", "--input", input.toString(), "--run-id", "broken-run");

        assertThat(exit).isEqualTo(4);
        RunState state = pipeline.awaitState("broken-run", s -> s.getStatus() == RunStatus.FAILED);
        assertThat(state.getMessage()).contains("line 2");
        assertThat(pipeline.completions("broken-run")).isEmpty();
    }

    @Test
    void aConversationTooLargeForOneRecordFailsTheRunInsteadOfBeingLostAtIntake() throws Exception {
        // Conversations are not split: one over limits.max-record-bytes would be rejected whole, with no request id.
        Path input = dir.resolve("huge.jsonl");
        Files.write(input, List.of("{\"custom_id\": \"small\", \"text\": \"fine\"}",
                "{\"custom_id\": \"huge\", \"messages\": [{\"role\": \"user\", \"content\": \""
                        + "x".repeat(1_200_000) + "\"}]}"));

        int exit = pipeline.bulk("submit", "--input", input.toString(), "--run-id", "huge-run");

        assertThat(exit).isEqualTo(4);
        RunState state = pipeline.awaitState("huge-run", s -> s.getStatus() == RunStatus.FAILED);
        assertThat(state.getMessage()).contains("huge-run#1").contains("limits.max-record-bytes");
    }
}
