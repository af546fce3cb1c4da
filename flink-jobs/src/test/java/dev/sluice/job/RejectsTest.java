package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.intake.DecodedRecord;
import dev.sluice.intake.IntakeLimits;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Tests for {@link Rejects}: a bad record can be found and replayed from its reject. */
class RejectsTest {

    private final PromptDecoder decoder = new PromptDecoder(IntakeLimits.ofDefaults());

    @Test
    void aRecordRejectCarriesTheOriginalBytesAndWhereTheyCameFrom() {
        byte[] value = {0x13, 0x77, (byte) 0x80, 0x01};
        SourceRecord source = new SourceRecord("sluice.prompts", 3, 4711, value);

        Reject reject = Rejects.fromSource(decoder.decode(value).problems().get(0), source, true, 99);

        assertThat(reject.getReason()).isEqualTo(RejectReason.DECODE_ERROR);
        assertThat(bytes(reject.getOriginal())).isEqualTo(value);
        assertThat(reject.getSourceTopic()).isEqualTo("sluice.prompts");
        assertThat(reject.getSourcePartition()).isEqualTo(3);
        assertThat(reject.getSourceOffset()).isEqualTo(4711);
        assertThat(reject.getRequestId()).isNull();
        assertThat(reject.getRejectedAt()).isEqualTo(99);
    }

    @Test
    void batchItemRejectsNameTheirRequestAndOnlyTheFirstCarriesTheBytes() {
        byte[] value = ("{\"tenant\": \"t\", \"requests\": [{\"request_id\": \"a\", \"task\": \"chat\", \"prompt\": 1},"
                + "{\"request_id\": \"b\", \"task\": \"chat\", \"prompt\": \"x\", \"params\": {\"max_tokens\": 0}}]}")
                .getBytes(StandardCharsets.UTF_8);
        SourceRecord source = new SourceRecord("sluice.prompts", 0, 7, value);
        DecodedRecord decoded = decoder.decode(value);

        Reject first = Rejects.fromSource(decoded.problems().get(0), source, true, 0);
        Reject second = Rejects.fromSource(decoded.problems().get(1), source, false, 0);

        assertThat(first.getRequestId()).isEqualTo("a");
        assertThat(first.getTenant()).isEqualTo("t");
        assertThat(first.getReason()).isEqualTo(RejectReason.SCHEMA_MISMATCH);
        assertThat(bytes(first.getOriginal())).isEqualTo(value);
        assertThat(second.getRequestId()).isEqualTo("b");
        assertThat(second.getReason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(second.getOriginal()).isNull();
        assertThat(second.getSourceOffset()).isEqualTo(7);
    }

    @Test
    void aLargeOriginalIsCutToItsHeadAndTheMessageSaysSo() {
        byte[] value = new byte[IntakeLimits.ofDefaults().maxRecordBytes() + 1];
        SourceRecord source = new SourceRecord("sluice.prompts", 0, 1, value);

        Reject reject = Rejects.fromSource(decoder.decode(value).problems().get(0), source, true, 0);

        assertThat(reject.getReason()).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(bytes(reject.getOriginal()))
                .isEqualTo(Arrays.copyOf(value, Rejects.MAX_ORIGINAL_BYTES));
        assertThat(reject.getMessage()).contains("original truncated to its first " + Rejects.MAX_ORIGINAL_BYTES);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
