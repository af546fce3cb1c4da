package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.sluice.schema.RejectReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link DemoSamples}. */
class DemoSamplesTest {

    private static final String CHAT = "\"tenant\": \"acme-retail\", \"task\": \"chat\", \"prompt\": \"hi\"";

    @TempDir
    Path folder;

    @Test
    void theShippedSamplesDeclareAnOutcomeForEachRequestAndUnreadableRecord() {
        DemoSamples samples = DemoSamples.load(Path.of("..", "config", "samples"));

        assertThat(samples.expectedCounts()).isEqualTo(Map.of("COMPLETION", 230L,
                "DECODE_ERROR", 5L, "INVALID_FIELD", 4L, "SCHEMA_MISMATCH", 3L));
        assertThat(samples.expectations()).filteredOn(e -> e.requestId() == null).extracting(Expectation::origin)
                .containsExactly("malformed.jsonl:1", "malformed.jsonl:8", "binary record: random bytes",
                        "binary record: truncated Avro", "binary record: invalid UTF-8",
                        "binary record: Avro of an unknown schema");
        assertThat(samples.expectations()).filteredOn(e -> "demo-0190".equals(e.requestId())).singleElement()
                .satisfies(e -> assertThat(e.origin()).isEqualTo("prompts.jsonl:181"));
        // The extraction sample's completion is checked against the schema its request carries, the tools sample's
        // against the schema of a call of its tools.
        assertThat(samples.expectations()).filteredOn(e -> e.jsonSchema() != null).extracting(Expectation::requestId)
                .containsExactly("demo-0221", "demo-0222");
        assertThat(samples.expectations()).filteredOn(e -> "demo-0222".equals(e.requestId())).singleElement()
                .satisfies(e -> assertThat(e.jsonSchema()).contains("\"const\":\"check_stock\"",
                        "\"const\":\"reserve_item\""));
        assertThat(samples.basis()).contains("expected-outcomes.txt and the demo's own binary records declare");
    }

    @Test
    void samplesWithoutDeclaredOutcomesExpectAnyOneOutcomeEach() throws IOException {
        write("prompts.jsonl", "{\"request_id\": \"p-1\", " + CHAT + "}",
                "{\"batch_id\": \"b\", \"tenant\": \"acme-retail\", \"requests\": [{\"request_id\": \"b-1\"}, "
                        + "{\"request_id\": \"b-2\"}]}");
        write("malformed.jsonl", "{\"request_id\": \"p-2\", \"task\": \"chat\"}", "not json");

        DemoSamples samples = DemoSamples.load(folder);

        assertThat(samples.records()).hasSize(2 + 2 + 4);
        assertThat(samples.expectations()).extracting(Expectation::subject, Expectation::expected).startsWith(
                tuple("p-1 (prompts.jsonl:1)", "ANY"),
                tuple("b-1 (prompts.jsonl:2)", "ANY"),
                tuple("b-2 (prompts.jsonl:2)", "ANY"),
                tuple("p-2 (malformed.jsonl:1)", "ANY"),
                tuple("malformed.jsonl:2", "ANY"));
        assertThat(samples.expectedCounts()).isEqualTo(Map.of("ANY", 5L, "DECODE_ERROR", 3L,
                "SCHEMA_MISMATCH", 1L));
        assertThat(samples.basis()).isEqualTo("ANY meaning exactly one outcome of any kind, for " + folder
                + " has no expected-outcomes.txt");
    }

    @Test
    void declaredOutcomesApplyToTheirSamples() throws IOException {
        write("prompts.jsonl", "{\"request_id\": \"p-1\", " + CHAT + "}", "{\"request_id\": \"p-2\", " + CHAT + "}");
        write("malformed.jsonl", "not json");
        write("expected-outcomes.txt", "prompts.jsonl COMPLETION", "p-2 POLICY_DENIED",
                "malformed.jsonl:1 DECODE_ERROR");

        DemoSamples samples = DemoSamples.load(folder);

        assertThat(samples.expectations()).extracting(Expectation::outcome).startsWith(Outcome.COMPLETION,
                Outcome.rejected(RejectReason.POLICY_DENIED), Outcome.rejected(RejectReason.DECODE_ERROR));
    }

    @Test
    void samplesThatCannotBeCheckedAreRefusedWithEveryReason() throws IOException {
        write("prompts.jsonl", "{\"request_id\": \"p-1\", " + CHAT + "}", "{\"request_id\": \"p-1\", " + CHAT + "}");
        write("malformed.jsonl", "not json");
        write("expected-outcomes.txt", "p-1 COMPLETION", "p-gone COMPLETION");

        assertThatThrownBy(() -> DemoSamples.load(folder)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the samples in " + folder + " cannot be checked:\n"
                        + "  request id p-1 is in both prompts.jsonl:1 and prompts.jsonl:2: the demo checks one "
                        + "outcome per request id\n"
                        + "  " + folder.resolve("expected-outcomes.txt") + " declares no outcome for "
                        + "malformed.jsonl:1\n"
                        + "  " + folder.resolve("expected-outcomes.txt") + ":2 names p-gone, which no sample holds");
    }

    private void write(String file, String... lines) throws IOException {
        Files.write(folder.resolve(file), List.of(lines));
    }
}
