package dev.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RouteExplanation;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** Tests for {@link RecordCodec}'s decoding of records it must not trust. */
class RecordCodecTest {

    private final RecordCodec<RunCommand> commands = new RecordCodec<>(RunCommand.getClassSchema());
    private final RunCommand cancel = RunCommand.newBuilder().setRunId("run-1").setTenant("acme")
            .setAction(RunAction.CANCEL).setIssuedAt(1_000L).build();

    @Test
    void readsBothFormats() {
        assertThat(commands.decode(commands.encode(cancel, false))).isEqualTo(cancel);
        assertThat(commands.decode(commands.encode(cancel, true))).isEqualTo(cancel);
    }

    @Test
    void readsARecordWrittenWithAnEarlierVersion() throws IOException {
        Schema v1 = SchemaHistory.version(RunCommand.getClassSchema(), 1);
        GenericRecord old = new GenericRecordBuilder(v1).set("run_id", "run-1").set("tenant", "acme")
                .set("action", new GenericData.EnumSymbol(v1.getField("action").schema(), "CANCEL"))
                .set("issued_at", 1_000L).build();
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);

        assertThat(commands.decode(Arrays.copyOfRange(bytes.array(), bytes.position(), bytes.limit())))
                .isEqualTo(cancel);
    }

    @Test
    void readsARegistrysFramingOfPublishedVersionsOnly() {
        Schema v1 = SchemaHistory.version(RunCommand.getClassSchema(), 1);
        Schema other = new Schema.Parser().parse(v1.toString().replace("\"issued_at\"", "\"sent_at\""));
        RecordCodec<RunCommand> framed = new RecordCodec<>(RunCommand.getClassSchema(), 1 << 20, 0,
                id -> id == 1 ? v1 : other);
        RecordCodec<RunCommand> writesV1 = new RecordCodec<>(RunCommand.getClassSchema(), 1 << 20, 1);

        assertThat(framed.decode(RegistryFraming.frame(1, writesV1.encodeBody(cancel)))).isEqualTo(cancel);
        assertThatThrownBy(() -> framed.decode(RegistryFraming.frame(2, writesV1.encodeBody(cancel))))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessage("schema id 2 (dev.sluice.schema.RunCommand) is no published version of RunCommand");
        assertThatThrownBy(() -> commands.decode(RegistryFraming.frame(1, writesV1.encodeBody(cancel))))
                .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("no schema registry is configured");
    }

    /** A consumer that reads with Completion v1 alone, knowing no later version, reads what a pinned codec writes. */
    @Test
    void writesAPinnedEarlierVersionThatItsReadersRead() throws IOException {
        Schema v1 = SchemaHistory.version(Completion.getClassSchema(), 1);
        RecordCodec<Completion> pinned = new RecordCodec<>(Completion.getClassSchema(), 1 << 20, 1);
        Completion completion = Completion.newBuilder().setRequestId("r-1").setTenant("acme").setModelId("m")
                .setBackend("triton").setEndpoint("e").setText("ok").setFinishReason("stop").setPromptTokens(3)
                .setCompletionTokens(1).setItemId("custom-7")
                .setTimings(CompletionTimings.newBuilder().setAcceptedAt(1).setQueuedMs(2).setFirstTokenMs(3)
                        .setFinishedMs(4).build())
                .setRoute(RouteExplanation.newBuilder().setChosenBecause("only one").build()).build();

        byte[] written = pinned.encode(completion, false);
        GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1).decode(written);

        assertThat(SingleObjectEncoding.fingerprint(written)).hasValue(SchemaNormalization.parsingFingerprint64(v1));
        assertThat(read.get("request_id")).hasToString("r-1");
        assertThat(read.get("text")).hasToString("ok");
        assertThat(read.hasField("item_id")).isFalse();
        assertThat(pinned.decode(written)).as("the codec still reads what it wrote")
                .isEqualTo(Completion.newBuilder(completion).setItemId(null).build());
    }

    /** Flink ships codecs inside functions: a deserialized one, its writer not yet set up, writes the same bytes. */
    @Test
    void aDeserializedCodecWritesWhatTheOriginalWrites() throws Exception {
        RecordCodec<RunCommand> pinned = new RecordCodec<>(RunCommand.getClassSchema(), 1 << 20, 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(pinned);
        }
        @SuppressWarnings("unchecked")
        RecordCodec<RunCommand> shipped = (RecordCodec<RunCommand>) new ObjectInputStream(
                new ByteArrayInputStream(bytes.toByteArray())).readObject();

        assertThat(shipped.encode(cancel, false)).isEqualTo(pinned.encode(cancel, false));
        assertThat(SingleObjectEncoding.fingerprint(shipped.encode(cancel, false))).hasValue(
                SchemaNormalization.parsingFingerprint64(SchemaHistory.version(RunCommand.getClassSchema(), 1)));
    }

    @Test
    void refusesToPinAVersionThatCannotHoldTodaysRecords() {
        assertThatThrownBy(() -> new RecordCodec<Reject>(Reject.getClassSchema(), 1 << 20, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Reject version 1 cannot hold every Reject")
                .hasMessageContaining("TENANT_MISMATCH");
        assertThatThrownBy(() -> new RecordCodec<Reject>(Reject.getClassSchema(), 1 << 20, 9))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Reject has schema versions 1 to 6, not 9");
    }

    /** Avro would allocate what a length prefix claims before reading it: 2 GB for these few bytes. */
    @Test
    void refusesAStringLongerThanTheRecordWithoutAllocatingIt() throws IOException {
        byte[] record = avro(RunCommand.getClassSchema(), out -> out.writeLong(Integer.MAX_VALUE));

        assertUnreadableWithinAMegabyte(commands, record, "string length 2147483647 cannot fit in a record of");
    }

    @Test
    void refusesAnArrayOfMoreItemsThanTheRecordHasBytes() throws IOException {
        RecordCodec<PromptBatch> batches = new RecordCodec<>(PromptBatch.getClassSchema());
        byte[] record = avro(PromptBatch.getClassSchema(), out -> {
            out.writeIndex(0);
            out.writeString("acme");
            out.writeIndex(0);
            out.writeArrayStart();
            out.setItemCount(2_000_000_000L);
        });

        assertUnreadableWithinAMegabyte(batches, record, "array length 2000000000 cannot fit");
    }

    @Test
    void refusesARecordAboveTheCapBeforeParsingIt() {
        RecordCodec<RunCommand> small = new RecordCodec<>(RunCommand.getClassSchema(), 64);
        byte[] json = ("{\"run_id\":\"" + "r".repeat(100) + "\",\"tenant\":\"acme\",\"action\":\"CANCEL\","
                + "\"issued_at\":1}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> small.decode(json)).isInstanceOf(UnreadableRecordException.class)
                .hasMessage("record of " + json.length + " bytes exceeds the limit of 64");
    }

    @Test
    void refusesAnotherSchemasFingerprint() {
        byte[] batch = new RecordCodec<PromptBatch>(PromptBatch.getClassSchema()).encode(
                PromptBatch.newBuilder().setTenant("acme").setRequests(java.util.List.of()).build(), false);

        assertThatThrownBy(() -> commands.decode(batch)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("is no published version of RunCommand");
    }

    @Test
    void refusesInvalidUtf8AndLeftOverBytesInAvro() {
        byte[] valid = commands.encode(cancel, false);
        byte[] badUtf8 = valid.clone();
        badUtf8[11] = (byte) 0xFF; // the first byte of run_id, after the header and its length
        byte[] longer = Arrays.copyOf(valid, valid.length + 1);

        assertThatThrownBy(() -> commands.decode(badUtf8)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> commands.decode(longer)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("bytes left over");
    }

    @Test
    void refusesDeeplyNestedJson() {
        int depth = 10_000;
        byte[] json = ("{\"run_id\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> commands.decode(json)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("nesting depth")
                .hasMessageContaining(String.valueOf(RecordCodec.MAX_JSON_DEPTH));
    }

    @Test
    void refusesAHugeJsonNumber() {
        byte[] json = ("{\"run_id\":\"r\",\"tenant\":\"acme\",\"action\":\"CANCEL\",\"issued_at\":"
                + "9".repeat(100_000) + "}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> commands.decode(json)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("Number value length")
                .hasMessageContaining(String.valueOf(RecordCodec.MAX_JSON_NUMBER_LENGTH));
    }

    @Test
    void refusesAHugeJsonFieldName() {
        byte[] json = ("{\"" + "n".repeat(10_000) + "\":1,\"run_id\":\"r\",\"tenant\":\"acme\",\"action\":\"CANCEL\","
                + "\"issued_at\":1}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> commands.decode(json)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("Name length");
    }

    @Test
    void refusesJsonThatIsNotTheRecordInvalidUtf8AndEmptyValues() {
        byte[] invalidUtf8 = "{\"run_id\":\"r?x\",\"tenant\":\"acme\",\"action\":\"CANCEL\",\"issued_at\":1}"
                .getBytes(StandardCharsets.UTF_8);
        invalidUtf8[12] = (byte) 0xC3; // a lead byte followed by 'x', which cannot continue it

        assertThatThrownBy(() -> commands.decode("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("not a RunCommand");
        assertThatThrownBy(() -> commands.decode("{\"run_id\":\"r\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("is required");
        assertThatThrownBy(() -> commands.decode(invalidUtf8))
                .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("Invalid UTF-8");
        assertThatThrownBy(() -> commands.decode(new byte[0]))
                .isInstanceOf(UnreadableRecordException.class).hasMessage("no value");
    }

    /** Writes the body of a record after a valid single-object header for {@code schema}. */
    private static byte[] avro(Schema schema, Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(new byte[] {(byte) 0xC3, 0x01});
        bytes.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(SchemaNormalization.parsingFingerprint64(schema)).array());
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private interface Body {
        void write(BinaryEncoder out) throws IOException;
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> void assertUnreadableWithinAMegabyte(
            RecordCodec<T> codec, byte[] record, String message) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);

        assertThatThrownBy(() -> codec.decode(record)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining(message);
        assertThat(threads.getThreadAllocatedBytes(thread) - before).isLessThan(1 << 20);
    }
}
