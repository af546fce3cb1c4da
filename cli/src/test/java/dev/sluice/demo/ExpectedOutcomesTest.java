package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schema.RejectReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link ExpectedOutcomes}. */
class ExpectedOutcomesTest {

    @Test
    void theMostSpecificEntryApplies() {
        ExpectedOutcomes declared = ExpectedOutcomes.parse("expected-outcomes.txt", List.of(
                "# a comment",
                "prompts.jsonl      COMPLETION",
                "prompts.jsonl:7    NO_ELIGIBLE_MODEL   # a model no tenant may use",
                "",
                "p-3                POLICY_DENIED"));

        assertThat(declared.outcomeOf("p-1", "prompts.jsonl:1")).contains(Outcome.COMPLETION);
        assertThat(declared.outcomeOf("p-7", "prompts.jsonl:7"))
                .contains(Outcome.rejected(RejectReason.NO_ELIGIBLE_MODEL));
        assertThat(declared.outcomeOf("p-3", "prompts.jsonl:3")).contains(Outcome.rejected(RejectReason.POLICY_DENIED));
        assertThat(declared.outcomeOf(null, "malformed.jsonl:1")).isEmpty();
    }

    @Test
    void aHashInsideARequestIdIsNoComment() {
        ExpectedOutcomes declared = ExpectedOutcomes.parse("e.txt", List.of("run#3 TOO_LARGE # too long"));

        assertThat(declared.outcomeOf("run#3", "prompts.jsonl:1")).contains(Outcome.rejected(RejectReason.TOO_LARGE));
    }

    @Test
    void entriesThatNoLookupUsedAreReported() {
        ExpectedOutcomes declared = ExpectedOutcomes.parse("e.txt", List.of(
                "prompts.jsonl COMPLETION",
                "p-gone INVALID_FIELD",
                "prompts.jsonl:2 DECODE_ERROR"));

        declared.outcomeOf("p-1", "prompts.jsonl:1");

        assertThat(declared.unused()).containsExactly("e.txt:2 names p-gone, which no sample holds",
                "e.txt:3 names prompts.jsonl:2, which no sample holds");
    }

    @Test
    void anOutcomeThatIsNoneIsRefusedWithItsLine() {
        assertThatThrownBy(() -> ExpectedOutcomes.parse("e.txt", List.of("", "p-1 COMPLETED")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("e.txt:2: 'COMPLETED' is no outcome: COMPLETION or a reject reason of [");
        assertThatThrownBy(() -> ExpectedOutcomes.parse("e.txt", List.of("p-1 UNKNOWN")))
                .hasMessageStartingWith("e.txt:1: 'UNKNOWN' is no outcome");
    }

    @Test
    void aLineThatIsNoEntryIsRefused() {
        assertThatThrownBy(() -> ExpectedOutcomes.parse("e.txt", List.of("p-1 COMPLETION extra")))
                .hasMessage("e.txt:1: expected a selector and an outcome, got 'p-1 COMPLETION extra'");
    }

    @Test
    void aSelectorDeclaredTwiceIsRefused() {
        assertThatThrownBy(() -> ExpectedOutcomes.parse("e.txt", List.of("p-1 COMPLETION", "p-1 DECODE_ERROR")))
                .hasMessage("e.txt:2: p-1 is declared already, on line 1");
    }
}
