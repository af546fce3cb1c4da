package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.Tenancy;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import dev.sluice.serde.SchemaHistory;
import dev.sluice.serde.SingleObjectEncoding;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** Tests for {@link ValueWriter}: the sinks write what {@code kafka.output-format} and the pinned versions say. */
class ValueWriterTest {

    private final RunState state = RunState.newBuilder().setRunId("run-1").setTenant("acme")
            .setStatus(RunStatus.IN_PROGRESS).setDoneItems(1).setFailedItems(0).setCancelledItems(0)
            .setPromptTokens(3).setCompletionTokens(4).setCreatedAt(1).setUpdatedAt(2).setAttempt(2).build();

    @Test
    void avroIsWrittenInThePinnedVersionAndTheOthersInTheCurrentOne() {
        KafkaSettings kafka = settings("avro", Map.of("RunState", 1));

        byte[] pinned = ValueWriter.<RunState>of(kafka, RunState.getClassSchema()).write("sluice.runs", state);
        byte[] current = ValueWriter.<Reject>of(kafka, Reject.getClassSchema()).write("sluice.rejects",
                Reject.newBuilder().setReason(RejectReason.TOO_LARGE).setMessage("big").setRejectedAt(1).build());

        assertThat(SingleObjectEncoding.fingerprint(pinned)).hasValue(SchemaNormalization.parsingFingerprint64(
                SchemaHistory.version(RunState.getClassSchema(), 1)));
        assertThat(SingleObjectEncoding.fingerprint(current)).hasValue(SchemaNormalization.parsingFingerprint64(
                Reject.getClassSchema()));
    }

    @Test
    void jsonIsJsonWhateverIsPinned() {
        byte[] json = ValueWriter.<RunState>of(settings("json", Map.of("RunState", 1)), RunState.getClassSchema())
                .write("sluice.runs", state);

        assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{").contains("\"attempt\"");
    }

    private static KafkaSettings settings(String format, Map<String, Integer> versions) {
        return new KafkaSettings("broker:9092", "sluice", format, Duration.ofMinutes(10), Map.of(), Tenancy.record,
                null, versions, null);
    }
}
