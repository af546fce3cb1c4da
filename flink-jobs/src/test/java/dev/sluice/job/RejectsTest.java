package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.intake.DecodedRecord;
import dev.sluice.intake.FieldCaps;
import dev.sluice.intake.IntakeLimits;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.Task;
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

    @Test
    void aRequestWithA600000CharTenantIsRejectedWithoutIt() {
        byte[] value = ("{\"request_id\": \"r\", \"tenant\": \"" + "t".repeat(600_000)
                + "\", \"task\": \"chat\", \"prompt\": \"x\"}").getBytes(StandardCharsets.UTF_8);
        SourceRecord source = new SourceRecord("sluice.prompts", 0, 1, value);

        Reject reject = Rejects.fromSource(decoder.decode(value).problems().get(0), source, true, 0);

        assertThat(reject.getReason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(reject.getRequestId()).isEqualTo("r");
        assertThat(reject.getTenant()).isNull();
        assertThat(reject.getMessage()).contains("'tenant'").hasSizeLessThan(FieldCaps.MESSAGE_CHARS + 100);
        assertThat(reject.getOriginal().remaining()).isEqualTo(Rejects.MAX_ORIGINAL_BYTES);
    }

    @Test
    void aRequestsOversizedIdsAreCutAndItsOversizedRunLeftOut() {
        PromptRequest request = PromptRequest.newBuilder().setRequestId("r".repeat(300_000)).setTenant("acme")
                .setTask(Task.CHAT).setPrompt("x").setRunId("n".repeat(300_000)).setItemIndex(0L)
                .setItemId("i".repeat(300_000)).build();

        Reject reject = Rejects.forRequest(request, RejectReason.BACKEND_FAILED, "e".repeat(1_000_000), 0);

        assertThat(reject.getRequestId()).startsWith("r".repeat(FieldCaps.ID_CHARS) + "… [truncated ");
        assertThat(reject.getItemId()).startsWith("i".repeat(FieldCaps.ID_CHARS) + "… [truncated ");
        assertThat(reject.getRunId()).isNull();
        assertThat(reject.getTenant()).isEqualTo("acme");
        assertThat(reject.getMessage()).isEqualTo("e".repeat(Rejects.MAX_MESSAGE_CHARS) + "… [truncated 995904 chars]");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
