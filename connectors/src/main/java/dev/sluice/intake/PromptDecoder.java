package dev.sluice.intake;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.registry.RegistryException;
import dev.sluice.serde.RegistryFraming;
import dev.sluice.registry.RegistryWriters;
import dev.sluice.registry.SchemaRegistryClient;
import dev.sluice.schema.RejectReason;
import dev.sluice.serde.JsonAvro;
import dev.sluice.serde.SingleObjectEncoding;
import dev.sluice.serde.WriterSchemas;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.avro.SchemaNormalization;

/**
 * Turns a record value from the prompts topic into validated requests. A value is either Avro single-object
 * encoding of PromptRequest or PromptBatch in any published version of their schemas (told apart by the schema
 * fingerprint, resolved to the current schema), Avro in a schema registry's framing (magic byte 0, schema id) of any
 * schema that resolves to either, or a UTF-8 JSON object with the same field names (a batch has
 * {@code requests}). Nothing here throws on bad input: every failure is a
 * {@link Problem} with a reason code.
 */
public final class PromptDecoder {

    private static final long REQUEST_FINGERPRINT = SchemaNormalization.parsingFingerprint64(PromptRequest.getClassSchema());
    private static final long BATCH_FINGERPRINT = SchemaNormalization.parsingFingerprint64(PromptBatch.getClassSchema());
    /** Every published version of both, so producers built against an earlier one keep working. */
    private static final WriterSchemas WRITERS = WriterSchemas.of(PromptRequest.getClassSchema(),
            PromptBatch.getClassSchema());

    private final IntakeLimits limits;
    private final PromptValidator validator;
    private final RegistryWriters registry;

    /** Reads JSON and single-object records; refuses registry-framed ones. */
    public PromptDecoder(IntakeLimits limits) {
        this(limits, null);
    }

    /** Reads registry-framed records too, with the writer schemas {@code registry} holds; null for none. */
    public PromptDecoder(IntakeLimits limits, SchemaRegistryClient registry) {
        this.limits = limits;
        this.validator = new PromptValidator(limits);
        this.registry = registry == null ? null : new RegistryWriters(registry, WRITERS);
    }

    public DecodedRecord decode(byte[] value) {
        if (value == null || value.length == 0) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR, "empty record value"));
        }
        if (value.length > limits.maxRecordBytes()) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.TOO_LARGE,
                    "record of " + value.length + " bytes exceeds the limit of " + limits.maxRecordBytes()));
        }
        try {
            if (RegistryFraming.isFramed(value)) {
                return decodeRegistryFramed(value);
            }
            if (SingleObjectEncoding.hasMarker(value)) {
                return decodeAvro(value);
            }
            return decodeJson(value);
        } catch (RegistryException e) {
            // A registry that could not be asked, or would not answer (authentication, TLS, a proxy in its place): the
            // record may be fine, so it is not rejected; decoding fails, and the job with it, until the registry answers.
            throw e;
        } catch (RuntimeException e) {
            // A decoder bug must not stop the job: the record is rejected with what went wrong.
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR,
                    "cannot decode record: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private DecodedRecord decodeAvro(byte[] value) {
        OptionalLong fingerprint = SingleObjectEncoding.fingerprint(value);
        if (fingerprint.isEmpty()) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR,
                    "Avro single-object header is truncated"));
        }
        Optional<WriterSchemas.Resolution> resolution = WRITERS.resolve(fingerprint.getAsLong());
        if (resolution.isEmpty()) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.SCHEMA_MISMATCH, String.format(
                    "Avro schema fingerprint %016x is no published version of PromptRequest or PromptBatch "
                            + "(the current ones are %016x and %016x)",
                    fingerprint.getAsLong(), REQUEST_FINGERPRINT, BATCH_FINGERPRINT)));
        }
        return decodeAvroBody(value, SingleObjectEncoding.HEADER_LENGTH, resolution.get());
    }

    private DecodedRecord decodeRegistryFramed(byte[] value) {
        OptionalInt id = RegistryFraming.schemaId(value);
        if (id.isEmpty()) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR,
                    "schema registry framing (magic byte 0) without a whole schema id of 0 or more"));
        }
        if (registry == null) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.SCHEMA_MISMATCH, "a schema registry's framing "
                    + "(magic byte 0, schema id " + id.getAsInt() + "), but kafka.schema-registry is not configured"));
        }
        WriterSchemas.Resolution resolution;
        try {
            resolution = registry.resolve(id.getAsInt());
        } catch (RegistryWriters.RefusedSchemaException e) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.SCHEMA_MISMATCH, e.getMessage()));
        }
        return decodeAvroBody(value, RegistryFraming.HEADER_LENGTH, resolution);
    }

    /** The Avro binary record from {@code offset} on, written with the resolution's writer schema. */
    private DecodedRecord decodeAvroBody(byte[] value, int offset, WriterSchemas.Resolution resolution) {
        try {
            if (resolution.reader().equals(PromptRequest.getClassSchema())) {
                PromptRequest request = resolution.read(value, offset);
                return validated(List.of(request), null);
            }
            PromptBatch batch = resolution.read(value, offset);
            if (batch.getRequests().size() > limits.maxBatchPrompts()) {
                return tooManyPrompts(batch.getRequests().size());
            }
            Optional<Problem> unfit = unfitBatch(batch, batch.getRequests().isEmpty());
            if (unfit.isPresent()) {
                return DecodedRecord.failed(unfit.get());
            }
            // As in a JSON batch, items may leave out the run the batch already names.
            if (batch.getRunId() != null) {
                batch.getRequests().stream().filter(item -> item.getRunId() == null)
                        .forEach(item -> item.setRunId(batch.getRunId()));
            }
            return validated(batch.getRequests(), batch.getTenant());
        } catch (java.io.IOException | org.apache.avro.AvroRuntimeException e) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR,
                    "invalid Avro record: " + e.getMessage()));
        } catch (IndexOutOfBoundsException e) {
            // Avro's decoder indexes the schema's branches and symbols with the number the record gives.
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR,
                    "invalid Avro record: a union branch or enum symbol index out of range"));
        }
    }

    private DecodedRecord decodeJson(byte[] value) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR,
                    "neither Avro single-object encoding (marker C3 01) nor UTF-8 JSON: invalid UTF-8"));
        }
        JsonNode node;
        try {
            node = JsonAvro.mapper().readTree(text);
        } catch (JacksonException e) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR,
                    "neither Avro single-object encoding (marker C3 01) nor valid JSON: "
                            + e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.DECODE_ERROR, "JSON value is not an object"));
        }
        if (!node.has("requests")) {
            return fromJson(List.of(node), null);
        }
        JsonNode requests = node.get("requests");
        if (requests.isArray() && requests.size() > limits.maxBatchPrompts()) {
            return tooManyPrompts(requests.size());
        }
        PromptBatch batch;
        try {
            batch = JsonAvro.fromJson(withoutRequests((ObjectNode) node), PromptBatch.getClassSchema());
        } catch (JsonAvro.MismatchException e) {
            return DecodedRecord.failed(mismatch(e, null, null));
        }
        if (!requests.isArray()) {
            return DecodedRecord.failed(Problem.ofRecord(RejectReason.SCHEMA_MISMATCH,
                    "field 'PromptBatch.requests': expected an array"));
        }
        Optional<Problem> unfit = unfitBatch(batch, requests.isEmpty());
        if (unfit.isPresent()) {
            return DecodedRecord.failed(unfit.get());
        }
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : requests) {
            // Items may leave out what the batch already says.
            if (item.isObject()) {
                ObjectNode filled = (ObjectNode) item;
                filled.putIfAbsent("tenant", filled.textNode(batch.getTenant()));
                if (batch.getRunId() != null) {
                    filled.putIfAbsent("run_id", filled.textNode(batch.getRunId()));
                }
            }
            items.add(item);
        }
        return fromJson(items, batch.getTenant());
    }

    /** Converts and validates each item on its own, so one bad item rejects only itself. */
    private DecodedRecord fromJson(List<JsonNode> items, String batchTenant) {
        List<PromptRequest> requests = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (JsonNode item : items) {
            try {
                requests.add(JsonAvro.fromJson(withSchemaAsText(item), PromptRequest.getClassSchema()));
            } catch (JsonAvro.MismatchException e) {
                problems.add(mismatch(e, text(item, "request_id"), text(item, "tenant")));
            }
        }
        DecodedRecord valid = validated(requests, batchTenant);
        problems.addAll(valid.problems());
        return new DecodedRecord(valid.requests(), problems);
    }

    /**
     * A JSON producer may write {@code structure.json_schema} and each tool's {@code parameters} as the schema
     * itself, an object, rather than as a string holding it (OpenAI's requests write objects): the field keeps its
     * text, which caps and checks then read as they read a string's.
     */
    private static JsonNode withSchemaAsText(JsonNode item) {
        JsonNode structure = item.path("structure");
        schemaAsText(structure, "json_schema");
        for (JsonNode tool : structure.path("tools")) {
            schemaAsText(tool, "parameters");
        }
        return item;
    }

    private static void schemaAsText(JsonNode parent, String field) {
        if (parent.path(field).isObject()) {
            ((ObjectNode) parent).put(field, parent.get(field).toString());
        }
    }

    private DecodedRecord validated(List<PromptRequest> requests, String batchTenant) {
        List<PromptRequest> accepted = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (PromptRequest request : requests) {
            Optional<Problem> problem = batchTenant != null && !batchTenant.equals(request.getTenant())
                    ? Optional.of(Problem.of(request, RejectReason.INVALID_FIELD, "request tenant '"
                            + PromptValidator.quoted(request.getTenant()) + "' differs from its batch's tenant '"
                            + batchTenant + "'"))
                    : validator.check(request);
            problem.ifPresentOrElse(problems::add, () -> accepted.add(request));
        }
        return new DecodedRecord(accepted, problems);
    }

    /**
     * What is wrong with the batch as a whole, checked before its requests are expanded: an oversized batch tenant
     * would otherwise be copied into every item, and a batch with no requests would leave no trace at all.
     */
    private static Optional<Problem> unfitBatch(PromptBatch batch, boolean empty) {
        Optional<String> oversized = FieldCaps.violation(batch);
        if (oversized.isPresent()) {
            return Optional.of(new Problem(RejectReason.INVALID_FIELD, oversized.get(), null, batch.getTenant()));
        }
        return empty
                ? Optional.of(new Problem(RejectReason.INVALID_FIELD, "batch has no requests", null, batch.getTenant()))
                : Optional.empty();
    }

    private DecodedRecord tooManyPrompts(int count) {
        return DecodedRecord.failed(Problem.ofRecord(RejectReason.TOO_LARGE,
                "batch of " + count + " prompts exceeds the limit of " + limits.maxBatchPrompts()));
    }

    private static Problem mismatch(JsonAvro.MismatchException e, String requestId, String tenant) {
        RejectReason reason = e.isBadEnumSymbol() ? RejectReason.INVALID_FIELD : RejectReason.SCHEMA_MISMATCH;
        return new Problem(reason, e.getMessage(), requestId, tenant);
    }

    private static ObjectNode withoutRequests(ObjectNode batch) {
        ObjectNode copy = batch.deepCopy();
        copy.putArray("requests");
        return copy;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
