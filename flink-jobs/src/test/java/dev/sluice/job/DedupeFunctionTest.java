package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.Task;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Tests for {@link DedupeFunction}. */
class DedupeFunctionTest {

    private static final Duration WINDOW = Duration.ofMinutes(10);

    @Test
    void aSecondRequestWithTheSameTenantAndIdIsRejectedAndNamesTheWindow() throws Exception {
        try (var harness = harness()) {
            harness.processElement(request("acme", "r1"), 0);
            harness.processElement(request("acme", "r1"), 0);
            harness.processElement(request("globex", "r1"), 0);
            harness.processElement(request("acme", "r2"), 0);

            assertThat(harness.extractOutputValues()).extracting(DedupeFunction::key)
                    .containsExactly(DedupeFunction.key(request("acme", "r1")),
                            DedupeFunction.key(request("globex", "r1")), DedupeFunction.key(request("acme", "r2")));
            assertThat(rejects(harness)).singleElement().satisfies(reject -> {
                assertThat(reject.getReason()).isEqualTo(RejectReason.DUPLICATE_REQUEST);
                assertThat(reject.getRequestId()).isEqualTo("r1");
                assertThat(reject.getTenant()).isEqualTo("acme");
                assertThat(reject.getMessage()).contains("dedupe window of PT10M");
            });
        }
    }

    @Test
    void anIdIsFreeAgainOnceTheWindowHasPassed() throws Exception {
        try (var harness = harness()) {
            harness.setStateTtlProcessingTime(0);
            harness.processElement(request("acme", "r1"), 0);
            harness.setStateTtlProcessingTime(WINDOW.toMillis() - 1);
            harness.processElement(request("acme", "r1"), 0);
            harness.setStateTtlProcessingTime(2 * WINDOW.toMillis());
            harness.processElement(request("acme", "r1"), 0);

            assertThat(harness.extractOutputValues()).hasSize(2);
            assertThat(rejects(harness)).hasSize(1);
        }
    }

    @Test
    void aRestoreFromACheckpointRemembersWhatItCoveredAndNothingElse() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = harness()) {
            harness.processElement(request("acme", "before"), 0);
            checkpoint = harness.snapshot(1, 1);
            // Processed after the checkpoint: a restore replays it from the source, so it must pass again then.
            harness.processElement(request("acme", "after"), 0);
        }
        try (var restored = harness(checkpoint)) {
            restored.processElement(request("acme", "before"), 0);
            restored.processElement(request("acme", "after"), 0);

            assertThat(restored.extractOutputValues()).extracting(PromptRequest::getRequestId).containsExactly("after");
            assertThat(rejects(restored)).extracting(Reject::getRequestId).containsExactly("before");
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PromptRequest, PromptRequest> harness()
            throws Exception {
        return harness(null);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PromptRequest, PromptRequest> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DedupeFunction(WINDOW)), DedupeFunction::key, Types.STRING);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private static List<Reject> rejects(KeyedOneInputStreamOperatorTestHarness<String, PromptRequest, PromptRequest> h) {
        return h.getSideOutput(DedupeFunction.REJECTS).stream().map(StreamRecord::getValue).toList();
    }

    private static PromptRequest request(String tenant, String id) {
        return PromptRequest.newBuilder().setRequestId(id).setTenant(tenant).setTask(Task.CHAT).setPrompt("hi")
                .build();
    }
}
