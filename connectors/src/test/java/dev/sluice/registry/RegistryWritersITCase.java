package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.intake.DecodedRecord;
import dev.sluice.intake.IntakeLimits;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.serde.RegistryFraming;
import dev.sluice.serde.SchemaHistory;
import dev.sluice.serde.WriterSchemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RegistryWriters} and the prompt decoder's registry framing, against a loopback registry stand-in. */
class RegistryWritersITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema REQUEST_V2 = SchemaHistory.version(PromptRequest.getClassSchema(), 2);
    private static final String NOT_FOUND = "{\"message\":\"Schema 8 not found.\",\"error_code\":40403}";

    private StubRegistry registry;
    private final WriterSchemas prompts = WriterSchemas.of(PromptRequest.getClassSchema(),
            PromptBatch.getClassSchema());

    @BeforeEach
    void start() throws IOException {
        registry = new StubRegistry();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void anEarlierPromptRequestSchemaResolvesToTheCurrentOneAndIsAskedForOnce() throws Exception {
        registry.on("GET", "/schemas/ids/7", StubRegistry.json(200, schemaAnswer(REQUEST_V2)));
        RegistryWriters writers = writers(System::nanoTime);

        WriterSchemas.Resolution resolution = writers.resolve(7);
        writers.resolve(7);

        assertThat(resolution.writer()).isEqualTo(REQUEST_V2);
        assertThat(resolution.reader()).isEqualTo(PromptRequest.getClassSchema());
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void idsThatCannotBeReadAreRefusedAndTheRefusalKept() throws Exception {
        registry.on("GET", "/schemas/ids/8", StubRegistry.json(404, NOT_FOUND));
        registry.on("GET", "/schemas/ids/9", StubRegistry.json(200, schemaAnswer(new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[]}"))));
        registry.on("GET", "/schemas/ids/10", StubRegistry.json(200, schemaAnswer(new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"PromptRequest\",\"namespace\":\"dev.sluice.schema\",\"fields\":"
                        + "[{\"name\":\"request_id\",\"type\":\"int\"}]}"))));
        registry.on("GET", "/schemas/ids/11", StubRegistry.json(200, "{\"schema\":\"[]\"}"));
        registry.on("GET", "/schemas/ids/12", StubRegistry.json(200, schemaAnswer(withExtraField(REQUEST_V2))));
        RegistryWriters writers = writers(System::nanoTime);

        assertRefused(writers, 8, "schema id 8: GET");
        assertRefused(writers, 8, "Schema 8 not found");
        assertRefused(writers, 9, "schema id 9 (record shop.Order) is no published version");
        assertRefused(writers, 10, "schema id 10 (record dev.sluice.schema.PromptRequest) is no published version");
        assertRefused(writers, 11, "schema id 11 (a union schema) is no published version");
        assertRefused(writers, 12, "schema id 12 (record dev.sluice.schema.PromptRequest) is no published version");
        assertThat(registry.requests()).as("each id asked for once").hasSize(5);
    }

    /** A registry's follower may be behind its leader: a schema it lacked is asked for again a minute later. */
    @Test
    void aRefusalIsKeptForAMinute() throws Exception {
        registry.on("GET", "/schemas/ids/8", StubRegistry.json(404, NOT_FOUND));
        AtomicLong now = new AtomicLong();
        RegistryWriters writers = writers(now::get);

        assertRefused(writers, 8, "Schema 8 not found");
        registry.on("GET", "/schemas/ids/8", StubRegistry.json(200, schemaAnswer(REQUEST_V2)));
        now.addAndGet(RegistryWriters.REFUSAL_TTL.toNanos() - 1);
        assertRefused(writers, 8, "Schema 8 not found");
        now.addAndGet(1);
        assertThat(writers.resolve(8).writer()).isEqualTo(REQUEST_V2);
    }

    /** Wrong credentials or a proxy's page say nothing of the record: they fail decoding, as an outage does. */
    @Test
    void aRegistryThatWillNotAnswerIsNoVerdictEither() throws Exception {
        registry.on("GET", "/schemas/ids/7", StubRegistry.json(401,
                "{\"message\":\"User is not authenticated.\",\"error_code\":0}"));
        registry.on("GET", "/schemas/ids/8", StubRegistry.text(404, "text/html", "<html>no such page</html>"));
        RegistryWriters writers = writers(System::nanoTime);

        assertThatThrownBy(() -> writers.resolve(7)).isInstanceOf(RegistryException.class).hasMessageContaining("401");
        assertThatThrownBy(() -> writers.resolve(8)).isInstanceOf(RegistryException.class).hasMessageContaining("404");
    }

    @Test
    void aRegistryThatCannotAnswerIsNoVerdictOnTheRecord() throws Exception {
        registry.on("GET", "/schemas/ids/7", StubRegistry.text(502, "text/html", "<html>bad gateway</html>"));
        RegistryWriters writers = writers(System::nanoTime);

        assertThatThrownBy(() -> writers.resolve(7)).isInstanceOf(RegistryException.class)
                .matches(e -> ((RegistryException) e).isRetryable());
        registry.on("GET", "/schemas/ids/7", StubRegistry.json(200, schemaAnswer(REQUEST_V2)));
        assertThat(writers.resolve(7).writer()).isEqualTo(REQUEST_V2);
    }

    @Test
    void aFloodOfNewIdsIsRefusedWithoutAsking() throws Exception {
        for (int id = 100; id < 120; id++) {
            registry.on("GET", "/schemas/ids/" + id, StubRegistry.json(200, schemaAnswer(REQUEST_V2)));
        }
        AtomicLong now = new AtomicLong();
        RegistryWriters writers = writers(now::get);

        for (int id = 100; id < 100 + RegistryWriters.NEW_IDS_PER_SECOND; id++) {
            writers.resolve(id);
        }
        assertRefused(writers, 119, "schema id 119 not looked up: more than 10 new schema ids a second");
        assertThat(writers.resolve(100).reader()).as("known ids are still served")
                .isEqualTo(PromptRequest.getClassSchema());
        assertThat(registry.requests()).hasSize(RegistryWriters.NEW_IDS_PER_SECOND);
        now.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(writers.resolve(119).writer()).as("a tenth of a second later, one more").isEqualTo(REQUEST_V2);
    }

    @Test
    void theDecoderServesRegistryFramedRecordsOfAnEarlierSchema() throws Exception {
        registry.on("GET", "/schemas/ids/7", StubRegistry.json(200, schemaAnswer(REQUEST_V2)));
        PromptDecoder decoder = new PromptDecoder(IntakeLimits.ofDefaults(), client());
        GenericRecord sent = new GenericRecordBuilder(REQUEST_V2).set("request_id", "framed-1").set("tenant", "acme")
                .set("task", new GenericData.EnumSymbol(REQUEST_V2.getField("task").schema(), "CHAT"))
                .set("prompt", "Hello").build();

        DecodedRecord decoded = decoder.decode(RegistryFraming.frame(7, avro(REQUEST_V2, sent)));

        assertThat(decoded.problems()).isEmpty();
        assertThat(decoded.requests()).extracting(PromptRequest::getRequestId).containsExactly("framed-1");
    }

    @Test
    void theDecoderRejectsFramedRecordsItCannotRead() throws Exception {
        registry.on("GET", "/schemas/ids/8", StubRegistry.json(404, NOT_FOUND));
        byte[] unknownId = RegistryFraming.frame(8, new byte[] {2, 'x'});

        assertRejected(new PromptDecoder(IntakeLimits.ofDefaults(), client()).decode(unknownId),
                RejectReason.SCHEMA_MISMATCH, "Schema 8 not found");
        assertRejected(new PromptDecoder(IntakeLimits.ofDefaults()).decode(unknownId),
                RejectReason.SCHEMA_MISMATCH, "kafka.schema-registry is not configured");
        assertRejected(new PromptDecoder(IntakeLimits.ofDefaults(), client()).decode(new byte[] {0, 0, 1}),
                RejectReason.DECODE_ERROR, "without a whole schema id");
        assertThat(registry.requests()).hasSize(1);
    }

    /** The record may be fine: a registry that cannot answer must not turn it into a reject, which would lose it. */
    @Test
    void theDecoderFailsRatherThanRejectsWhileTheRegistryCannotAnswer() {
        registry.on("GET", "/schemas/ids/7", StubRegistry.text(503, "text/plain", "unavailable"));
        PromptDecoder decoder = new PromptDecoder(IntakeLimits.ofDefaults(), client());

        assertThatThrownBy(() -> decoder.decode(RegistryFraming.frame(7, new byte[] {2, 'x'})))
                .isInstanceOf(RegistryException.class).hasMessageContaining("503");
    }

    private RegistryWriters writers(LongSupplier nanoTime) {
        return new RegistryWriters(client(), prompts, nanoTime);
    }

    /** {@code schema} with one more field, which costs nothing to write: compatible by Avro's rules, not published. */
    private static Schema withExtraField(Schema schema) {
        String json = schema.toString();
        return new Schema.Parser().parse(json.substring(0, json.lastIndexOf(']'))
                + ",{\"name\":\"pad\",\"type\":{\"type\":\"array\",\"items\":\"null\"},\"default\":[]}]}");
    }

    private SchemaRegistryClient client() {
        return new SchemaRegistryClient(RegistrySettings.builder(registry.url()).build());
    }

    private static void assertRefused(RegistryWriters writers, int id, String message) {
        assertThatThrownBy(() -> writers.resolve(id)).isInstanceOf(RegistryWriters.RefusedSchemaException.class)
                .hasMessageContaining(message);
    }

    private static void assertRejected(DecodedRecord decoded, RejectReason reason, String message) {
        assertThat(decoded.requests()).isEmpty();
        assertThat(decoded.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.reason()).isEqualTo(reason);
            assertThat(problem.message()).contains(message);
        });
    }

    private static String schemaAnswer(Schema schema) throws IOException {
        return JSON.writeValueAsString(java.util.Map.of("schema", schema.toString()));
    }

    private static byte[] avro(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        return out.toByteArray();
    }
}
