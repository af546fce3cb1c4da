package dev.sluice.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.OutputConstraint;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import dev.sluice.serde.SchemaHistory;
import dev.sluice.serde.SingleObjectEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Tests for {@link PromptDecoder}. */
class PromptDecoderTest {

    private final PromptDecoder decoder = new PromptDecoder(new IntakeLimits(4096, 200, 3, 1000, 64));
    private final RecordCodec<PromptRequest> requests = new RecordCodec<>(PromptRequest.getClassSchema());
    private final RecordCodec<PromptBatch> batches = new RecordCodec<>(PromptBatch.getClassSchema());

    @Test
    void decodesJsonWithPlainUnionsAndCaseInsensitiveEnums() {
        DecodedRecord decoded = decoder.decode(json("""
                {"request_id": "r1", "tenant": "t", "task": "translate", "prompt": "Hello",
                 "target_language": "ja", "params": {"max_tokens": 32, "temperature": 0.5}, "priority": "batch"}"""));

        assertThat(decoded.problems()).isEmpty();
        PromptRequest request = decoded.requests().get(0);
        assertThat(request.getTask()).isEqualTo(Task.TRANSLATE);
        assertThat(request.getParams().getMaxTokens()).isEqualTo(32);
        assertThat(request.getParams().getTemperature()).isEqualTo(0.5f);
        assertThat(request.getPriority().name()).isEqualTo("BATCH");
        assertThat(request.getMessages()).isEmpty();
    }

    /** A producer built against any earlier PromptRequest schema, as Avro's own encoder writes it, is served. */
    @Test
    void servesProducersBuiltAgainstEveryPublishedPromptRequestSchema() throws IOException {
        List<Schema> versions = SchemaHistory.versions(PromptRequest.getClassSchema());
        assertThat(versions).hasSizeGreaterThan(1);
        for (int version = 1; version <= versions.size(); version++) {
            Schema schema = versions.get(version - 1);
            GenericRecord sent = new GenericRecordBuilder(schema).set("request_id", "r-v" + version)
                    .set("tenant", "acme").set("task", new GenericData.EnumSymbol(schema.getField("task").schema(),
                            "TRANSLATE"))
                    .set("prompt", "Thank you").set("target_language", "ja").build();

            DecodedRecord decoded = decoder.decode(singleObject(schema, sent));

            assertThat(decoded.problems()).as("v%d", version).isEmpty();
            PromptRequest request = decoded.requests().get(0);
            assertThat(request.getRequestId()).isEqualTo("r-v" + version);
            assertThat(request.getTask()).isEqualTo(Task.TRANSLATE);
            assertThat(request.getPrompt()).isEqualTo("Thank you");
            assertThat(request.getTargetLanguage()).isEqualTo("ja");
            assertThat(request.getItemId()).as("a field added since takes its default").isNull();
        }
    }

    @Test
    void servesBatchesBuiltAgainstTheFirstPromptBatchSchema() throws IOException {
        Schema batchV1 = SchemaHistory.version(PromptBatch.getClassSchema(), 1);
        Schema requestV1 = batchV1.getField("requests").schema().getElementType();
        GenericRecord item = new GenericRecordBuilder(requestV1).set("request_id", "b-1").set("tenant", "acme")
                .set("task", new GenericData.EnumSymbol(requestV1.getField("task").schema(), "CHAT"))
                .set("prompt", "Hello").build();
        GenericRecord batch = new GenericRecordBuilder(batchV1).set("tenant", "acme").set("requests", List.of(item))
                .build();

        DecodedRecord decoded = decoder.decode(singleObject(batchV1, batch));

        assertThat(decoded.problems()).isEmpty();
        assertThat(decoded.requests()).extracting(PromptRequest::getRequestId).containsExactly("b-1");
    }

    private static byte[] singleObject(Schema schema, GenericRecord record) throws IOException {
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    @Test
    void decodesAvroSingleObjectRequests() {
        PromptRequest sent = request("r2", "t").setParams(GenerationParams.newBuilder().setMaxTokens(10).build())
                .build();

        DecodedRecord decoded = decoder.decode(requests.encode(sent, false));

        assertThat(decoded.problems()).isEmpty();
        assertThat(decoded.requests()).containsExactly(sent);
    }

    @Test
    void flattensABatchAndRejectsOnlyItsBadItems() {
        DecodedRecord decoded = decoder.decode(json("""
                {"tenant": "t", "run_id": "nightly", "requests": [
                  {"request_id": "a", "task": "chat", "prompt": "one"},
                  {"request_id": "b", "task": "chat", "prompt": "two", "params": {"max_tokens": 0}},
                  {"request_id": "c", "task": "chat", "prompt": "three"}]}"""));

        assertThat(decoded.requests()).extracting(PromptRequest::getRequestId).containsExactly("a", "c");
        assertThat(decoded.requests()).allSatisfy(r -> {
            assertThat(r.getTenant()).isEqualTo("t");
            assertThat(r.getRunId()).isEqualTo("nightly");
        });
        assertThat(decoded.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(p.requestId()).isEqualTo("b");
        });
    }

    @Test
    void rejectsAnAvroBatchItemOfAnotherTenant() {
        PromptBatch batch = PromptBatch.newBuilder().setTenant("t")
                .setRequests(List.of(request("a", "t").build(), request("b", "intruder").build())).build();

        DecodedRecord decoded = decoder.decode(batches.encode(batch, false));

        assertThat(decoded.requests()).extracting(PromptRequest::getRequestId).containsExactly("a");
        assertThat(decoded.problems()).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("differs from its batch's tenant"));
    }

    @Test
    void anAvroBatchLendsItsRunToItemsThatNameNone() {
        PromptBatch batch = PromptBatch.newBuilder().setTenant("t").setRunId("nightly")
                .setRequests(List.of(request("a", "t").build(), request("b", "t").setRunId("own").build())).build();

        DecodedRecord decoded = decoder.decode(batches.encode(batch, false));

        assertThat(decoded.requests()).extracting(PromptRequest::getRunId).containsExactly("nightly", "own");
    }

    static Stream<Arguments> overCaps() {
        String ok = "\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", \"prompt\": \"x\"";
        return Stream.of(
                Arguments.of("{\"request_id\": \"r\", \"tenant\": \"" + "t".repeat(600_000)
                        + "\", \"task\": \"chat\", \"prompt\": \"x\"}", "tenant", FieldCaps.TENANT_CHARS),
                Arguments.of("{\"request_id\": \"" + "r".repeat(257) + "\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": \"x\"}", "request_id", FieldCaps.ID_CHARS),
                Arguments.of("{" + ok + ", \"run_id\": \"" + "n".repeat(257) + "\"}", "run_id", FieldCaps.ID_CHARS),
                Arguments.of("{" + ok + ", \"run_id\": \"n\", \"item_index\": 0, \"item_id\": \"" + "i".repeat(300_000)
                        + "\"}", "item_id", FieldCaps.ID_CHARS),
                Arguments.of("{" + ok + ", \"source_language\": \"" + "e".repeat(36) + "\"}", "source_language",
                        FieldCaps.LANGUAGE_CHARS),
                Arguments.of("{" + ok + ", \"target_language\": \"" + "j".repeat(36) + "\"}", "target_language",
                        FieldCaps.LANGUAGE_CHARS),
                Arguments.of("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", \"messages\": ["
                        + String.join(",", Collections.nCopies(1_001, "{\"role\": \"user\", \"content\": \"x\"}"))
                        + "]}", "messages", FieldCaps.MAX_MESSAGES),
                Arguments.of("{" + ok + ", \"params\": {\"stop\": [" + String.join(",", Collections.nCopies(17, "\"s\""))
                        + "]}}", "params.stop", FieldCaps.MAX_STOPS),
                Arguments.of("{" + ok + ", \"params\": {\"stop\": [\"s\", \"" + "s".repeat(500_000) + "\"]}}",
                        "params.stop[1]", FieldCaps.STOP_CHARS),
                Arguments.of("{" + ok + ", \"constraints\": {\"capabilities\": [" + String.join(",",
                        Collections.nCopies(33, "\"tools\"")) + "]}}", "constraints.capabilities", FieldCaps.MAX_NAMES),
                Arguments.of("{" + ok + ", \"constraints\": {\"capabilities\": [\"" + "v".repeat(129) + "\"]}}",
                        "constraints.capabilities[0]", FieldCaps.NAME_CHARS),
                Arguments.of("{" + ok + ", \"hints\": {\"preferred_model\": \"" + "m".repeat(129) + "\"}}",
                        "hints.preferred_model", FieldCaps.NAME_CHARS),
                Arguments.of("{" + ok + ", \"hints\": {\"preferred_family\": \"" + "f".repeat(129) + "\"}}",
                        "hints.preferred_family", FieldCaps.NAME_CHARS),
                Arguments.of("{" + ok + ", \"hints\": {\"size\": \"" + "s".repeat(129) + "\"}}", "hints.size",
                        FieldCaps.NAME_CHARS),
                Arguments.of("{" + ok + ", \"structure\": {\"json_schema\": \"" + "s".repeat(16_385) + "\"}}",
                        "structure.json_schema", FieldCaps.STRUCTURE_CHARS),
                Arguments.of("{" + ok + ", \"structure\": {\"regex\": \"" + "r".repeat(1_025) + "\"}}",
                        "structure.regex", FieldCaps.REGEX_CHARS),
                Arguments.of("{" + ok + ", \"structure\": {\"grammar\": \"" + "g".repeat(16_385) + "\"}}",
                        "structure.grammar", FieldCaps.STRUCTURE_CHARS),
                Arguments.of("{" + ok + ", \"structure\": {\"tools\": [" + String.join(",", Collections.nCopies(33,
                        tool("f", "{}"))) + "]}}", "structure.tools", FieldCaps.MAX_TOOLS),
                Arguments.of("{" + ok + ", \"structure\": {\"tools\": [{\"name\": \"f\", \"description\": \""
                        + "d".repeat(1_025) + "\", \"parameters\": \"{}\"}]}}", "structure.tools[0].description",
                        FieldCaps.TOOL_DESCRIPTION_CHARS),
                Arguments.of("{" + ok + ", \"structure\": {\"tools\": [" + tool("f", "s".repeat(16_385)) + "]}}",
                        "structure.tools[0].parameters", FieldCaps.STRUCTURE_CHARS),
                Arguments.of("{" + ok + ", \"structure\": {\"tools\": [" + String.join(",", Collections.nCopies(5,
                        tool("f", "s".repeat(16_000)))) + "]}}", "structure.tools", FieldCaps.TOOLS_CHARS),
                Arguments.of("{" + ok + ", \"hints\": {\"allowed_licenses\": [" + String.join(",",
                        Collections.nCopies(33, "\"mit\"")) + "]}}", "hints.allowed_licenses", FieldCaps.MAX_NAMES),
                Arguments.of("{" + ok + ", \"hints\": {\"allowed_licenses\": [\"mit\", \"" + "l".repeat(129)
                        + "\"]}}", "hints.allowed_licenses[1]", FieldCaps.NAME_CHARS),
                Arguments.of("{\"tenant\": \"" + "t".repeat(600_000) + "\", \"requests\": ["
                        + String.join(",", Collections.nCopies(3, "{\"request_id\": \"r\", \"task\": \"chat\", "
                        + "\"prompt\": \"x\"}")) + "]}", "PromptBatch.tenant", FieldCaps.TENANT_CHARS),
                Arguments.of("{\"tenant\": \"t\", \"run_id\": \"" + "n".repeat(257) + "\", \"requests\": [{" + ok
                        + "}]}", "PromptBatch.run_id", FieldCaps.ID_CHARS),
                Arguments.of("{\"tenant\": \"t\", \"batch_id\": \"" + "b".repeat(257) + "\", \"requests\": [{" + ok
                        + "}]}", "PromptBatch.batch_id", FieldCaps.ID_CHARS));
    }

    /**
     * One problem per record, naming the field and its cap, that does not carry the oversized value on: a batch's
     * oversized field is found before its items take it.
     */
    @ParameterizedTest(name = "{1}")
    @MethodSource("overCaps")
    void rejectsAFieldOverItsCapWithoutCopyingIt(String json, String field, int cap) {
        DecodedRecord decoded = new PromptDecoder(IntakeLimits.ofDefaults()).decode(json(json));

        assertThat(decoded.requests()).isEmpty();
        assertThat(decoded.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(p.message()).contains("'" + field + "'").contains("cap of " + cap)
                    .hasSizeLessThanOrEqualTo(FieldCaps.MESSAGE_CHARS + 40);
            assertThat(p.tenant()).satisfiesAnyOf(t -> assertThat(t).isNull(), t -> assertThat(t).isEqualTo("t"));
            assertThat(p.requestId()).satisfiesAnyOf(id -> assertThat(id).isNull(), id -> assertThat(id).isEqualTo("r"),
                    id -> assertThat(id).startsWith("r".repeat(FieldCaps.ID_CHARS) + "… [truncated 1 chars]"));
        });
    }

    @Test
    void acceptsEveryFieldAtItsCap() {
        PromptRequest atCaps = request("r".repeat(FieldCaps.ID_CHARS), "t".repeat(FieldCaps.TENANT_CHARS))
                .setRunId("n".repeat(FieldCaps.ID_CHARS)).setItemIndex(0L).setItemId("i".repeat(FieldCaps.ID_CHARS))
                .setTargetLanguage("x".repeat(FieldCaps.LANGUAGE_CHARS))
                .setParams(GenerationParams.newBuilder()
                        .setStop(Collections.nCopies(FieldCaps.MAX_STOPS, "s".repeat(FieldCaps.STOP_CHARS))).build())
                .build();

        DecodedRecord decoded = new PromptDecoder(IntakeLimits.ofDefaults()).decode(requests.encode(atCaps, false));

        assertThat(decoded.problems()).isEmpty();
        assertThat(decoded.requests()).containsExactly(atCaps);
    }

    @Test
    void anAvroBatchWithAHugeTenantIsOneRejectThatLeavesTheTenantOut() {
        String tenant = "t".repeat(600_000);
        PromptBatch batch = PromptBatch.newBuilder().setTenant(tenant)
                .setRequests(List.of(request("a", tenant).build(), request("b", tenant).build())).build();

        DecodedRecord decoded = new PromptDecoder(new IntakeLimits(4 << 20, 200, 3, 1000, 64))
                .decode(batches.encode(batch, false));

        assertThat(decoded.requests()).isEmpty();
        assertThat(decoded.problems()).singleElement().satisfies(p -> {
            assertThat(p.message()).contains("'PromptBatch.tenant'");
            assertThat(p.tenant()).isNull();
        });
    }

    @Test
    void anEmptyBatchIsRejectedInBothFormats() {
        byte[] avro = batches.encode(PromptBatch.newBuilder().setTenant("t").setRequests(List.of()).build(), false);

        for (byte[] value : List.of(json("{\"tenant\": \"t\", \"requests\": []}"), avro)) {
            assertThat(decoder.decode(value).problems()).singleElement().satisfies(p -> {
                assertThat(p.reason()).isEqualTo(RejectReason.INVALID_FIELD);
                assertThat(p.message()).isEqualTo("batch has no requests");
                assertThat(p.tenant()).isEqualTo("t");
            });
        }
    }

    @Test
    void aMessageQuotingAHugeValueIsCut() {
        DecodedRecord decoded = new PromptDecoder(IntakeLimits.ofDefaults()).decode(json("{\"request_id\": \"r\", "
                + "\"tenant\": \"t\", \"task\": \"" + "p".repeat(500_000) + "\", \"prompt\": \"x\"}"));

        assertThat(decoded.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(p.message()).hasSizeLessThan(FieldCaps.MESSAGE_CHARS + 40).contains("… [truncated ");
        });
    }

    @Test
    void decodesEachStructureKindFromJson() {
        String schema = "{\\\"type\\\": \\\"object\\\", \\\"required\\\": [\\\"name\\\"]}";

        List<PromptRequest> decoded = Stream.of("{\"json_schema\": \"" + schema + "\"}", "{\"regex\": \"[0-9]+\"}",
                        "{\"grammar\": \"root ::= [0-9]+\"}")
                .map(structure -> decoder.decode(withStructure(structure)))
                .peek(record -> assertThat(record.problems()).isEmpty())
                .map(record -> record.requests().get(0)).toList();

        assertThat(decoded).extracting(r -> OutputConstraint.of(r.getStructure())).containsExactly(
                new OutputConstraint(OutputConstraint.Kind.JSON_SCHEMA,
                        "{\"type\": \"object\", \"required\": [\"name\"]}"),
                new OutputConstraint(OutputConstraint.Kind.REGEX, "[0-9]+"),
                new OutputConstraint(OutputConstraint.Kind.GRAMMAR, "root ::= [0-9]+"));
    }

    /** JSON producers may write the schema as itself; it keeps its text, capped and checked as a string's. */
    @Test
    void aJsonSchemaMayBeWrittenAsAnObject() {
        DecodedRecord decoded = decoder.decode(withStructure("{\"json_schema\": {\"type\": \"object\", "
                + "\"required\": [\"name\"]}}"));
        DecodedRecord nested = decoder.decode(withStructure("{\"json_schema\": "
                + "{\"a\": ".repeat(JsonSchemaText.MAX_NESTING_DEPTH) + "{}" + "}".repeat(JsonSchemaText.MAX_NESTING_DEPTH)
                + "}"));

        assertThat(decoded.problems()).isEmpty();
        assertThat(decoded.requests().get(0).getStructure().getJsonSchema())
                .isEqualTo("{\"type\":\"object\",\"required\":[\"name\"]}");
        assertThat(nested.requests()).isEmpty();
        // Written as an object, a schema is held to the same nesting bound as one written as text.
        assertThat(nested.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(p.message()).contains("nesting depth");
        });
    }

    /** Tools' parameters written as objects, as OpenAI's requests write them, keep their text too. */
    @Test
    void toolParametersMayBeWrittenAsObjects() {
        DecodedRecord decoded = decoder.decode(withStructure("{\"tools\": [{\"name\": \"get_weather\", "
                + "\"description\": \"today's weather\", \"parameters\": {\"type\": \"object\", "
                + "\"properties\": {\"city\": {\"type\": \"string\"}}}}, {\"name\": \"now\", "
                + "\"parameters\": \"{}\"}]}"));

        assertThat(decoded.problems()).isEmpty();
        assertThat(decoded.requests().get(0).getStructure().getTools()).extracting(t -> t.getParameters())
                .containsExactly("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}", "{}");
    }

    static Stream<Arguments> badStructures() {
        return Stream.of(
                Arguments.of("{\"json_schema\": \"{}\", \"regex\": \"a\"}", "more than one of json_schema"),
                Arguments.of("{\"regex\": \"a\", \"grammar\": \"root ::= a\"}", "more than one of json_schema"),
                Arguments.of("{\"regex\": \"a\", \"tools\": [" + tool("f", "{}") + "]}", "grammar and tools"),
                Arguments.of("{\"tools\": [" + tool("f g", "{}") + "]}", "structure.tools[0].name must be"),
                Arguments.of("{\"tools\": [" + tool("f", "{}") + ", " + tool("f", "{}") + "]}",
                        "structure.tools[1].name must be"),
                Arguments.of("{\"tools\": [" + tool("f", "[]") + "]}", "a JSON Schema is a JSON object"),
                Arguments.of("{\"tools\": [" + tool("f", "{\\\"a\\\": ") + "]}",
                        "structure.tools[0].parameters is not a JSON object"),
                Arguments.of("{\"regex\": \" \"}", "structure.regex is empty"),
                Arguments.of("{\"grammar\": \"\"}", "structure.grammar is empty"),
                Arguments.of("{\"json_schema\": \"[1, 2]\"}", "a JSON Schema is a JSON object"),
                Arguments.of("{\"json_schema\": \"{\\\"type\\\": \"}", "structure.json_schema is not a JSON object"),
                Arguments.of("{\"json_schema\": \"{} {}\"}", "structure.json_schema is not a JSON object"),
                Arguments.of("{\"json_schema\": \"{\\\"a\\\": 1, \\\"a\\\": 2}\"}", "Duplicate field 'a'"),
                Arguments.of("{\"json_schema\": \"" + "{\\\"a\\\": ".repeat(JsonSchemaText.MAX_NESTING_DEPTH) + "{}"
                        + "}".repeat(JsonSchemaText.MAX_NESTING_DEPTH) + "\"}", "nesting depth"));
    }

    /** A tool as the request's JSON writes one, its parameters as JSON text. */
    private static String tool(String name, String parameters) {
        return "{\"name\": \"" + name + "\", \"parameters\": \"" + parameters + "\"}";
    }

    /** A structure the server could not honour as meant is refused at intake, with what is wrong with it. */
    @ParameterizedTest(name = "{1}")
    @MethodSource("badStructures")
    void rejectsABadStructure(String structure, String message) {
        DecodedRecord decoded = decoder.decode(withStructure(structure));

        assertThat(decoded.requests()).isEmpty();
        assertThat(decoded.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(p.message()).contains(message);
        });
    }

    @Test
    void acceptsASchemaNestedToTheLimit() {
        int depth = JsonSchemaText.MAX_NESTING_DEPTH - 1;
        String schema = "{\\\"a\\\": ".repeat(depth) + "{}" + "}".repeat(depth);

        assertThat(decoder.decode(withStructure("{\"json_schema\": \"" + schema + "\"}")).problems()).isEmpty();
    }

    static Stream<Arguments> malformed() {
        byte[] avro = new RecordCodec<PromptRequest>(PromptRequest.getClassSchema())
                .encode(request("r", "t").build(), false);
        byte[] otherSchema = avro.clone();
        otherSchema[3] ^= 0x11;
        byte[] badUtf8 = avro.clone();
        // The prompt "hello" is the record's last string; C0 AF is an overlong encoding of '/'.
        int prompt = indexOf(badUtf8, "hello".getBytes(StandardCharsets.UTF_8));
        badUtf8[prompt] = (byte) 0xC0;
        badUtf8[prompt + 1] = (byte) 0xAF;
        byte[] badEnum = avro.clone();
        // After the header, request_id "r" and tenant "t" (two bytes each) comes the task's index.
        badEnum[SingleObjectEncoding.HEADER_LENGTH + 4] = 0x7E;
        return Stream.of(
                Arguments.of("empty value", new byte[0], RejectReason.DECODE_ERROR),
                Arguments.of("random bytes", new byte[] {0x13, 0x77, (byte) 0x80, 0x01}, RejectReason.DECODE_ERROR),
                Arguments.of("truncated Avro", Arrays.copyOf(avro, avro.length - 4), RejectReason.DECODE_ERROR),
                Arguments.of("truncated Avro header", Arrays.copyOf(avro, 5), RejectReason.DECODE_ERROR),
                Arguments.of("unknown Avro schema", otherSchema, RejectReason.SCHEMA_MISMATCH),
                Arguments.of("invalid UTF-8 in an Avro string", badUtf8, RejectReason.DECODE_ERROR),
                Arguments.of("bytes after an Avro record", Arrays.copyOf(avro, avro.length + 3),
                        RejectReason.DECODE_ERROR),
                Arguments.of("Avro enum index out of range", badEnum, RejectReason.DECODE_ERROR),
                Arguments.of("invalid UTF-8", new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'}, RejectReason.DECODE_ERROR),
                Arguments.of("lone UTF-8 continuation byte", utf8Broken(new byte[] {(byte) 0x80}), RejectReason.DECODE_ERROR),
                Arguments.of("UTF-8 cut inside a character", utf8Broken(new byte[] {(byte) 0xE3, (byte) 0x81}),
                        RejectReason.DECODE_ERROR),
                Arguments.of("UTF-8 encoded surrogate", utf8Broken(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                        RejectReason.DECODE_ERROR),
                Arguments.of("broken JSON", json("{\"request_id\": "), RejectReason.DECODE_ERROR),
                Arguments.of("JSON array", json("[1, 2]"), RejectReason.DECODE_ERROR),
                Arguments.of("content after the JSON object", json("{\"request_id\": \"r\", \"tenant\": \"t\", "
                        + "\"task\": \"chat\", \"prompt\": \"x\"} {}"), RejectReason.DECODE_ERROR),
                Arguments.of("a key given twice", json("{\"request_id\": \"r\", \"tenant\": \"t\", "
                        + "\"tenant\": \"other\", \"task\": \"chat\", \"prompt\": \"x\"}"), RejectReason.DECODE_ERROR),
                Arguments.of("wrong type", json("{\"request_id\": 5, \"tenant\": \"t\", \"task\": \"chat\", \"prompt\": \"x\"}"),
                        RejectReason.SCHEMA_MISMATCH),
                Arguments.of("prompt of the wrong type", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": [\"x\"]}"), RejectReason.SCHEMA_MISMATCH),
                Arguments.of("max_tokens not an integer", withParams("{\"max_tokens\": 1.5}"), RejectReason.SCHEMA_MISMATCH),
                Arguments.of("max_tokens beyond 32 bits", withParams("{\"max_tokens\": 4294967296}"),
                        RejectReason.SCHEMA_MISMATCH),
                Arguments.of("temperature as text", withParams("{\"temperature\": \"hot\"}"), RejectReason.SCHEMA_MISMATCH),
                Arguments.of("params not an object", withParams("[]"), RejectReason.SCHEMA_MISMATCH),
                Arguments.of("messages not an array", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"messages\": {\"role\": \"user\"}}"), RejectReason.SCHEMA_MISMATCH),
                Arguments.of("missing tenant", json("{\"request_id\": \"r\", \"task\": \"chat\", \"prompt\": \"x\"}"),
                        RejectReason.SCHEMA_MISMATCH),
                Arguments.of("missing request_id", json("{\"tenant\": \"t\", \"task\": \"chat\", \"prompt\": \"x\"}"),
                        RejectReason.SCHEMA_MISMATCH),
                Arguments.of("missing task", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"prompt\": \"x\"}"),
                        RejectReason.SCHEMA_MISMATCH),
                Arguments.of("message without content", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"messages\": [{\"role\": \"user\"}]}"), RejectReason.SCHEMA_MISMATCH),
                Arguments.of("unknown task", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"poem\", \"prompt\": \"x\"}"),
                        RejectReason.INVALID_FIELD),
                Arguments.of("unknown priority", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": \"x\", \"priority\": \"urgent\"}"), RejectReason.INVALID_FIELD),
                Arguments.of("unknown size class", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": \"x\", \"hints\": {\"size\": \"huge\"}}"), RejectReason.INVALID_FIELD),
                Arguments.of("blank tenant", json("{\"request_id\": \"r\", \"tenant\": \" \", \"task\": \"chat\", "
                        + "\"prompt\": \"x\"}"), RejectReason.INVALID_FIELD),
                Arguments.of("request id with a control character", json("{\"request_id\": \"r\\u0007\", "
                        + "\"tenant\": \"t\", \"task\": \"chat\", \"prompt\": \"x\"}"), RejectReason.INVALID_FIELD),
                Arguments.of("tenant with an unpaired surrogate", json("{\"request_id\": \"r\", "
                        + "\"tenant\": \"t\\ud800\", \"task\": \"chat\", \"prompt\": \"x\"}"),
                        RejectReason.INVALID_FIELD),
                Arguments.of("tenant with a slash", json("{\"request_id\": \"r\", \"tenant\": \"acme/eu\", "
                        + "\"task\": \"chat\", \"prompt\": \"x\"}"), RejectReason.INVALID_FIELD),
                Arguments.of("item of no run", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": \"x\", \"item_index\": 3}"), RejectReason.INVALID_FIELD),
                Arguments.of("part without a part count", json("{\"request_id\": \"r\", \"tenant\": \"t\", "
                        + "\"task\": \"chat\", \"prompt\": \"x\", \"run_id\": \"n\", \"item_index\": 3, "
                        + "\"chunk_index\": 0}"), RejectReason.INVALID_FIELD),
                Arguments.of("part beyond its count", json("{\"request_id\": \"r\", \"tenant\": \"t\", "
                        + "\"task\": \"chat\", \"prompt\": \"x\", \"run_id\": \"n\", \"item_index\": 3, "
                        + "\"chunk_index\": 2, \"chunk_count\": 2}"), RejectReason.INVALID_FIELD),
                Arguments.of("prompt and messages", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": \"x\", \"messages\": [{\"role\": \"user\", \"content\": \"y\"}]}"), RejectReason.INVALID_FIELD),
                Arguments.of("unknown role", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"messages\": [{\"role\": \"god\", \"content\": \"y\"}]}"), RejectReason.INVALID_FIELD),
                Arguments.of("control characters", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": \"x\\u0007y\"}"), RejectReason.INVALID_FIELD),
                Arguments.of("NUL in a message", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"messages\": [{\"role\": \"user\", \"content\": \"a\\u0000b\"}]}"), RejectReason.INVALID_FIELD),
                Arguments.of("escape sequence in the prompt", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": \"\\u001b[31mred\"}"), RejectReason.INVALID_FIELD),
                Arguments.of("unpaired surrogate in the prompt", json("{\"request_id\": \"r\", \"tenant\": \"t\", "
                        + "\"task\": \"chat\", \"prompt\": \"a\\ud800b\"}"), RejectReason.INVALID_FIELD),
                Arguments.of("zero max_tokens", withParams("{\"max_tokens\": 0}"), RejectReason.INVALID_FIELD),
                Arguments.of("negative max_tokens", withParams("{\"max_tokens\": -1}"), RejectReason.INVALID_FIELD),
                Arguments.of("max_tokens above ceiling", withParams("{\"max_tokens\": 1001}"), RejectReason.INVALID_FIELD),
                Arguments.of("temperature out of range", withParams("{\"temperature\": 2.5}"), RejectReason.INVALID_FIELD),
                Arguments.of("negative temperature", withParams("{\"temperature\": -0.1}"), RejectReason.INVALID_FIELD),
                Arguments.of("infinite temperature", withParams("{\"temperature\": 1e99}"), RejectReason.INVALID_FIELD),
                Arguments.of("top_p zero", withParams("{\"top_p\": 0}"), RejectReason.INVALID_FIELD),
                Arguments.of("translate without target", json("{\"request_id\": \"r\", \"tenant\": \"t\", "
                        + "\"task\": \"translate\", \"prompt\": \"x\"}"), RejectReason.INVALID_FIELD),
                Arguments.of("prompt too long", json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", "
                        + "\"prompt\": \"" + "x".repeat(201) + "\"}"), RejectReason.TOO_LARGE),
                Arguments.of("record too large", new byte[5000], RejectReason.TOO_LARGE),
                Arguments.of("batch too large", json("{\"tenant\": \"t\", \"requests\": [{}, {}, {}, {}]}"),
                        RejectReason.TOO_LARGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedInputWithItsReason(String name, byte[] value, RejectReason reason) {
        DecodedRecord decoded = decoder.decode(value);

        assertThat(decoded.requests()).isEmpty();
        assertThat(decoded.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(reason);
            assertThat(p.message()).isNotBlank();
            // A clear reason, not a Java exception's name.
            assertThat(p.message()).doesNotContain("Exception");
        });
    }

    static Stream<Arguments> beyondTheShippedLimits() {
        IntakeLimits shipped = IntakeLimits.ofDefaults();
        IntakeLimits largeRecords = new IntakeLimits(16 << 20, shipped.maxPromptChars(), shipped.maxBatchPrompts(),
                shipped.maxTokensCeiling(), shipped.defaultMaxTokens());
        String item = "{\"request_id\": \"r\", \"task\": \"chat\", \"prompt\": \"x\"}";
        List<PromptRequest> avroItems = Collections.nCopies(1_001, request("r", "t").build());
        return Stream.of(
                Arguments.of("10 MB prompt", shipped, promptOf(10 << 20), "record of 10485"),
                Arguments.of("10 MB prompt under a 16 MB record limit", largeRecords, promptOf(10 << 20),
                        "prompt of 10485760 characters exceeds the limit of 100000"),
                Arguments.of("100,000 prompts in one record", shipped, batchOf(item, 100_000),
                        "exceeds the limit of 1048576"),
                // Empty items keep 100,000 prompts under the byte limit: the count alone rejects them.
                Arguments.of("100,000 prompts within the byte limit", shipped, batchOf("{}", 100_000),
                        "batch of 100000 prompts exceeds the limit of 1000"),
                Arguments.of("1,001 prompts in an Avro batch", shipped, new RecordCodec<PromptBatch>(
                        PromptBatch.getClassSchema()).encode(PromptBatch.newBuilder().setTenant("t")
                        .setRequests(avroItems).build(), false), "batch of 1001 prompts exceeds the limit of 1000"));
    }

    /** The shipped limits are safe: nothing large gets through when nothing is configured. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("beyondTheShippedLimits")
    void rejectsWhatIsBeyondTheLimitsAsTooLarge(String name, IntakeLimits limits, byte[] value, String message) {
        DecodedRecord decoded = new PromptDecoder(limits).decode(value);

        assertThat(decoded.requests()).isEmpty();
        assertThat(decoded.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(RejectReason.TOO_LARGE);
            assertThat(p.message()).contains(message);
        });
    }

    static Stream<Arguments> lengthClaims() {
        byte[] avro = new RecordCodec<PromptRequest>(PromptRequest.getClassSchema())
                .encode(request("r", "t").build(), false);
        byte[] emptyBatch = new RecordCodec<PromptBatch>(PromptBatch.getClassSchema())
                .encode(PromptBatch.newBuilder().setTenant("t").setRequests(List.of()).build(), false);
        return Stream.of(
                // The batch's last byte is its empty array's count: claim 2^29 items instead.
                Arguments.of("array of 2^29 items", withVarint(Arrays.copyOf(emptyBatch, emptyBatch.length - 1),
                        1L << 29)),
                // The first field after the header is request_id: claim a string of 2^30 bytes.
                Arguments.of("string of 2^30 bytes", withVarint(Arrays.copyOf(avro,
                        SingleObjectEncoding.HEADER_LENGTH), 1L << 30)));
    }

    /** Avro allocates what a length prefix claims before it reads: a few bytes once took gigabytes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lengthClaims")
    void aLengthPrefixCannotClaimMoreThanTheRecordHolds(String name, byte[] value) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        DecodedRecord decoded = decoder.decode(value);

        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1 << 20);
        assertThat(decoded.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(RejectReason.DECODE_ERROR);
            assertThat(p.message()).contains("cannot fit in a record of");
        });
    }

    private static PromptRequest.Builder request(String id, String tenant) {
        return PromptRequest.newBuilder().setRequestId(id).setTenant(tenant).setTask(Task.CHAT).setPrompt("hello");
    }

    /** {@code prefix} followed by {@code value} as an Avro varint, as a length or count prefix is written. */
    private static byte[] withVarint(byte[] prefix, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            encoder.writeLong(value);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    private static byte[] promptOf(int chars) {
        return json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", \"prompt\": \""
                + "x".repeat(chars) + "\"}");
    }

    private static byte[] batchOf(String item, int count) {
        return json("{\"tenant\": \"t\", \"requests\": [" + String.join(",", Collections.nCopies(count, item))
                + "]}");
    }

    /** A JSON request whose prompt holds {@code bytes}, which are not valid UTF-8. */
    private static byte[] utf8Broken(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", \"prompt\": \"a"));
        out.writeBytes(bytes);
        out.writeBytes(json("b\"}"));
        return out.toByteArray();
    }

    private static byte[] withStructure(String structure) {
        return json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"extract\", \"prompt\": \"x\", "
                + "\"structure\": " + structure + "}");
    }

    private static byte[] withParams(String params) {
        return json("{\"request_id\": \"r\", \"tenant\": \"t\", \"task\": \"chat\", \"prompt\": \"x\", \"params\": "
                + params + "}");
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
