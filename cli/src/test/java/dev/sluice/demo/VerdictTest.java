package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RouteExplanation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Verdict}. */
class VerdictTest {

    private static final List<RecordPosition> POSITIONS = List.of(position(0), position(1), position(2),
            position(3));
    /** Two prompts in records 0 and 1, an invalid one in record 2, and an unreadable record 3. */
    private static final List<Expectation> EXPECTED = List.of(
            new Expectation("p-1", 0, "prompts.jsonl:1", Outcome.COMPLETION),
            new Expectation("p-2", 1, "prompts.jsonl:2", Outcome.COMPLETION),
            new Expectation("bad-task", 2, "malformed.jsonl:1", Outcome.rejected(RejectReason.INVALID_FIELD)),
            new Expectation(null, 3, "malformed.jsonl:2", Outcome.rejected(RejectReason.DECODE_ERROR)));

    @Test
    void theExpectedOutcomesEachOncePass() {
        Verdict verdict = Verdict.of(EXPECTED, POSITIONS, List.of(completion("p-1"), completion("p-2")),
                List.of(reject("bad-task", RejectReason.INVALID_FIELD, position(2)),
                        reject(null, RejectReason.DECODE_ERROR, position(3))));

        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.everyOneHeard()).isTrue();
        assertThat(verdict.problems()).isEmpty();
        assertThat(verdict.missing()).isZero();
        assertThat(verdict.duplicated()).isZero();
    }

    @Test
    void promptsThatAllFailedInTheBackendFailAlthoughTheCountIsRight() {
        Verdict verdict = Verdict.of(EXPECTED, POSITIONS, List.of(),
                List.of(reject("p-1", RejectReason.BACKEND_FAILED, null),
                        reject("p-2", RejectReason.BACKEND_FAILED, null),
                        reject("bad-task", RejectReason.INVALID_FIELD, position(2)),
                        reject(null, RejectReason.DECODE_ERROR, position(3))));

        assertThat(verdict.everyOneHeard()).isTrue();
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.unmet()).isEqualTo(2);
        assertThat(verdict.problems()).containsExactly(
                "p-1 (prompts.jsonl:1): expected COMPLETION, got BACKEND_FAILED",
                "p-2 (prompts.jsonl:2): expected COMPLETION, got BACKEND_FAILED");
    }

    @Test
    void aDuplicateFails() {
        Verdict verdict = Verdict.of(EXPECTED, POSITIONS,
                List.of(completion("p-1"), completion("p-2"), completion("p-1")),
                List.of(reject("bad-task", RejectReason.INVALID_FIELD, position(2)),
                        reject(null, RejectReason.DECODE_ERROR, position(3))));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.duplicated()).isEqualTo(1);
        assertThat(verdict.problems()).containsExactly(
                "p-1 (prompts.jsonl:1): expected COMPLETION, got COMPLETION, COMPLETION");
    }

    @Test
    void aRejectBesideTheExpectedCompletionIsADuplicate() {
        Verdict verdict = Verdict.of(EXPECTED, POSITIONS, List.of(completion("p-1"), completion("p-2")),
                List.of(reject("p-2", RejectReason.DUPLICATE_REQUEST, null),
                        reject("bad-task", RejectReason.INVALID_FIELD, position(2)),
                        reject(null, RejectReason.DECODE_ERROR, position(3))));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.problems()).containsExactly(
                "p-2 (prompts.jsonl:2): expected COMPLETION, got COMPLETION, DUPLICATE_REQUEST");
    }

    @Test
    void aMissingOutcomeFails() {
        Verdict verdict = Verdict.of(EXPECTED, POSITIONS, List.of(completion("p-1"), completion("p-2")),
                List.of(reject("bad-task", RejectReason.INVALID_FIELD, position(2))));

        assertThat(verdict.everyOneHeard()).isFalse();
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.missing()).isEqualTo(1);
        assertThat(verdict.problems()).containsExactly("malformed.jsonl:2: expected DECODE_ERROR, got nothing");
    }

    @Test
    void aRejectForTheWrongReasonFails() {
        Verdict verdict = Verdict.of(EXPECTED, POSITIONS, List.of(completion("p-1"), completion("p-2")),
                List.of(reject("bad-task", RejectReason.SCHEMA_MISMATCH, position(2)),
                        reject(null, RejectReason.DECODE_ERROR, position(3))));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.problems()).containsExactly(
                "bad-task (malformed.jsonl:1): expected INVALID_FIELD, got SCHEMA_MISMATCH");
    }

    @Test
    void aRejectOfAWholeRecordIsTheOutcomeOfEachRequestInIt() {
        List<Expectation> batch = List.of(new Expectation("b-1", 0, "prompts.jsonl:1", Outcome.COMPLETION),
                new Expectation("b-2", 0, "prompts.jsonl:1", Outcome.COMPLETION));

        Verdict verdict = Verdict.of(batch, POSITIONS, List.of(),
                List.of(reject(null, RejectReason.SCHEMA_MISMATCH, position(0))));

        assertThat(verdict.everyOneHeard()).isTrue();
        assertThat(verdict.problems()).containsExactly(
                "b-1 (prompts.jsonl:1): expected COMPLETION, got SCHEMA_MISMATCH (of its whole record)",
                "b-2 (prompts.jsonl:1): expected COMPLETION, got SCHEMA_MISMATCH (of its whole record)");
    }

    @Test
    void anOutcomeNoSampleHoldsFails() {
        Verdict verdict = Verdict.of(EXPECTED, POSITIONS,
                List.of(completion("p-1"), completion("p-2"), completion("stranger")),
                List.of(reject("bad-task", RejectReason.INVALID_FIELD, position(2)),
                        reject(null, RejectReason.DECODE_ERROR, position(3)),
                        reject(null, RejectReason.DECODE_ERROR, position(9))));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.unmet()).isZero();
        assertThat(verdict.unexpected()).isEqualTo(2);
        assertThat(verdict.problems()).containsExactly(
                "unexpected: COMPLETION for request id stranger, which no sample holds",
                "unexpected: DECODE_ERROR at sluice.prompts partition 0 offset 9, which no sample holds");
    }

    @Test
    void anyOneOutcomeWillDoWhereNoneIsDeclaredButExactlyOne() {
        List<Expectation> undeclared = List.of(new Expectation("p-1", 0, "prompts.jsonl:1", null),
                new Expectation("p-2", 1, "prompts.jsonl:2", null));

        Verdict once = Verdict.of(undeclared, POSITIONS, List.of(completion("p-1")),
                List.of(reject("p-2", RejectReason.BACKEND_FAILED, null)));
        Verdict twiceAndNever = Verdict.of(undeclared, POSITIONS, List.of(completion("p-1"), completion("p-1")),
                List.of());

        assertThat(once.passed()).isTrue();
        assertThat(twiceAndNever.passed()).isFalse();
        assertThat(twiceAndNever.problems()).containsExactly(
                "p-1 (prompts.jsonl:1): expected ANY, got COMPLETION, COMPLETION",
                "p-2 (prompts.jsonl:2): expected ANY, got nothing");
    }

    /** An extraction's completion passes only as JSON valid against the schema its request asked for. */
    @Test
    void aCompletionOfARequestWithAJsonSchemaMustBeValidAgainstIt() {
        String schema = "{\"type\": \"object\", \"required\": [\"sku\"], \"properties\": {\"sku\": "
                + "{\"type\": \"string\"}, \"quantity\": {\"type\": \"integer\", \"minimum\": 1}}}";
        List<Expectation> extraction = List.of(
                new Expectation("x-1", 0, "prompts.jsonl:1", Outcome.COMPLETION, schema));

        Verdict valid = Verdict.of(extraction, POSITIONS,
                List.of(completion("x-1", "{\"sku\": \"A4-500\", \"quantity\": 3}")), List.of());
        Verdict invalid = Verdict.of(extraction, POSITIONS,
                List.of(completion("x-1", "{\"quantity\": 0}")), List.of());
        Verdict notJson = Verdict.of(extraction, POSITIONS,
                List.of(completion("x-1", "Sure! {\"sku\": \"A4-500\"}")), List.of());

        assertThat(valid.passed()).isTrue();
        assertThat(valid.schemaChecks()).isEqualTo("1 of 1");
        assertThat(invalid.passed()).isFalse();
        assertThat(invalid.schemaChecks()).isEqualTo("0 of 1");
        assertThat(invalid.problems()).singleElement().asString()
                .startsWith("x-1 (prompts.jsonl:1): expected COMPLETION, got COMPLETION not valid against its "
                        + "structure's JSON schema: ")
                .contains("sku").contains("quantity");
        assertThat(notJson.problems()).singleElement().asString().contains("not JSON");
    }

    private static RecordPosition position(long offset) {
        return new RecordPosition("sluice.prompts", 0, offset);
    }

    private static Completion completion(String requestId) {
        return completion(requestId, "answer");
    }

    private static Completion completion(String requestId, String text) {
        return Completion.newBuilder().setRequestId(requestId).setTenant("acme").setModelId("m")
                .setBackend("triton").setEndpoint("localhost:1").setText(text).setFinishReason("stop")
                .setPromptTokens(1).setCompletionTokens(1).setTimings(new CompletionTimings(0L, 0L, 0L, 0L))
                .setRoute(new RouteExplanation("test", List.of())).build();
    }

    /** A reject; {@code source} null for one of a valid request, which points at no record. */
    private static Reject reject(String requestId, RejectReason reason, RecordPosition source) {
        Reject.Builder reject = Reject.newBuilder().setRequestId(requestId).setTenant("acme").setReason(reason)
                .setMessage(reason.name()).setRejectedAt(0);
        if (source != null) {
            reject.setSourceTopic(source.topic()).setSourcePartition(source.partition())
                    .setSourceOffset(source.offset());
        }
        return reject.build();
    }
}
