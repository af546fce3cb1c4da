package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.run.Attempts;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bulk run served while its model's server is down, so its items are rejected for server health, and then
 * resubmitted once the server is back: the resubmission retries exactly those items, each ends served once, and
 * items rejected for other reasons are left as they were. Past the run's deadline, the retry is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkRetryITCase {

    private static final int ITEMS = 60;
    /** Every tenth item is a conversation longer than the model's context: rejected for good, never retried. */
    private static final List<Integer> TOO_LONG = IntStream.range(0, ITEMS).filter(i -> i % 10 == 3).boxed().toList();

    private Path dir;
    private BulkPipeline pipeline;

    @BeforeAll
    void startThePipeline(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        // A short hold rejects batch requests while the server is down, instead of holding them for hours; circuits
        // that close soon after let the retries through once it is back.
        pipeline = BulkPipeline.start(dir, "bulk-retry-it", """
                gateway:
                  hold:
                    batch: PT3S
                  resilience:
                    open-for: PT0.5S
                """);
    }

    @AfterEach
    void serversUp() {
        servers(server -> server.faults().clear());
    }

    @AfterAll
    void stop() throws Exception {
        pipeline.close();
    }

    @Test
    void aResubmissionRetriesTheItemsRejectedForServerHealthUntilEachIsServedOnce() throws Exception {
        Path input = input("retried");
        Path output = dir.resolve("retried.out.jsonl");
        servers(server -> server.faults().unavailableFor(Duration.ofMinutes(10)));

        int outageExit = submit(input, "retried-run", output);

        List<Reject> firstRejects = pipeline.rejects("retried-run");
        RunState failed = pipeline.state("retried-run");
        assertThat(outageExit).as("nothing served").isEqualTo(4);
        assertThat(failed.getStatus()).isEqualTo(RunStatus.COMPLETED);
        assertThat(failed.getFailedItems()).isEqualTo(ITEMS);
        assertThat(firstRejects).filteredOn(r -> !TOO_LONG.contains(r.getItemIndex().intValue()))
                .extracting(Reject::getReason).isNotEmpty()
                .isSubsetOf(RejectReason.BACKEND_FAILED, RejectReason.DEADLINE_EXCEEDED);

        servers(server -> server.faults().clear());
        // Past the circuits' open-for, so that no retry waits out its hold for a circuit to close.
        Thread.sleep(2_000);
        int retryExit = submit(input, "retried-run", output);

        RunState retried = pipeline.state("retried-run");
        assertThat(retryExit).as("partial: the overlong items still fail").isEqualTo(3);
        assertThat(retried.getStatus()).isEqualTo(RunStatus.COMPLETED);
        assertThat(retried.getAttempt()).isEqualTo(1);
        assertThat(retried.getDoneItems()).isEqualTo(ITEMS - TOO_LONG.size());
        assertThat(retried.getFailedItems()).isEqualTo(TOO_LONG.size());
        List<Integer> served = IntStream.range(0, ITEMS).filter(i -> !TOO_LONG.contains(i)).boxed().toList();
        assertThat(BulkPipeline.jsonLines(output)).extracting(r -> r.get("custom_id").asText())
                .containsExactlyElementsOf(served.stream().map(i -> "item-" + i).toList());
        List<JsonNode> errors = BulkPipeline.jsonLines(Path.of(output + ".errors.jsonl"));
        assertThat(errors).extracting(e -> e.get("custom_id").asText())
                .containsExactlyElementsOf(TOO_LONG.stream().map(i -> "item-" + i).toList());
        assertThat(errors).allSatisfy(e -> assertThat(e.get("reason").asText()).isEqualTo("NO_ELIGIBLE_MODEL"));
        // Each served item has exactly one completion, that of its retry; no overlong item was published again.
        Map<String, List<Completion>> completions = pipeline.completions("retried-run").stream()
                .collect(Collectors.groupingBy(Completion::getItemId));
        assertThat(completions.keySet()).containsExactlyInAnyOrderElementsOf(
                served.stream().map(i -> "item-" + i).toList());
        assertThat(completions).allSatisfy((item, copies) -> assertThat(copies).singleElement()
                .satisfies(c -> assertThat(c.getRequestId()).isEqualTo(
                        Attempts.requestId("retried-run#" + c.getItemIndex(), 1))));
        assertThat(pipeline.rejects("retried-run")).filteredOn(r -> TOO_LONG.contains(r.getItemIndex().intValue()))
                .extracting(Reject::getRequestId)
                .containsExactlyInAnyOrderElementsOf(TOO_LONG.stream().map(i -> "retried-run#" + i).toList());

        // Once more: nothing is left to retry.
        assertThat(submit(input, "retried-run", output)).isEqualTo(3);
        assertThat(pipeline.state("retried-run").getAttempt()).isEqualTo(1);
        assertThat(pipeline.completions("retried-run")).hasSize(served.size());
    }

    @Test
    void aRetryPastTheRunsDeadlineIsRefused() throws Exception {
        Path input = input("late");
        // Servers that fail every call: rejected BACKEND_FAILED, or DEADLINE_EXCEEDED once their circuits are open.
        servers(server -> server.faults().errorEveryNth(1));
        long deadline = System.currentTimeMillis() + 8_000;
        assertThat(pipeline.bulk("submit", "--input", input.toString(), "--run-id", "late-retry-run",
                "--max-tokens", "8", "--deadline", "PT8S")).isZero();
        pipeline.awaitState("late-retry-run", state -> state.getFailedItems() == ITEMS);
        servers(server -> server.faults().clear());
        Thread.sleep(Math.max(0, deadline - System.currentTimeMillis() + 500));

        int exit = pipeline.bulk("submit", "--input", input.toString(), "--run-id", "late-retry-run",
                "--max-tokens", "8");

        assertThat(exit).as("refused").isEqualTo(2);
        assertThat(pipeline.state("late-retry-run").getAttempt()).isZero();
        assertThat(pipeline.completions("late-retry-run")).isEmpty();
    }

    /** A JSONL input of {@link #ITEMS} short questions, and the conversations in {@link #TOO_LONG}. */
    private Path input(String name) throws Exception {
        Path input = dir.resolve(name + ".jsonl");
        Files.write(input, IntStream.range(0, ITEMS).mapToObj(i -> TOO_LONG.contains(i)
                ? "{\"custom_id\": \"item-" + i + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
                        + "word ".repeat(5_000) + "\"}]}"
                : "{\"custom_id\": \"item-" + i + "\", \"text\": \"question " + i + "\"}").toList());
        return input;
    }

    private int submit(Path input, String runId, Path output) {
        return pipeline.bulk("submit", "--input", input.toString(), "--run-id", runId, "--max-tokens", "8",
                "--wait", "--output", output.toString(), "--timeout", "PT2M");
    }

    private void servers(Consumer<EmulatorServer> change) {
        pipeline.emulators().servers().forEach(change);
    }
}
