package dev.sluice.demo;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.backend.ToolSchema;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.ToolDefinition;
import dev.sluice.serde.JsonAvro;
import dev.sluice.serde.RecordCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The demo's input: the shipped sample prompts (every third single request re-encoded as Avro, so both formats
 * travel), the shipped malformed JSON lines, and a few malformed binary records made here; each with where it comes
 * from and the request ids a reader finds in it, which is what the demo's expected outcomes are declared for.
 */
public final class SamplePrompts {

    /** The well-formed prompts and batches of a samples folder. */
    private static final String PROMPTS = "prompts.jsonl";
    /** The malformed inputs of a samples folder, one record per line. */
    private static final String MALFORMED = "malformed.jsonl";

    /**
     * One record to publish.
     *
     * @param key the record key, the request id where there is one
     * @param value the record value
     */
    public record SampleRecord(String key, byte[] value) {}

    /**
     * A record to publish, with what a reader of the samples finds in it.
     *
     * @param record the record
     * @param origin where it comes from: {@code FILE:LINE} for a line of a sample file, else what it is
     * @param requestIds the request ids a reader finds in it, in order; none where it is not a JSON object or
     *     batch that states them
     * @param declared the outcome its maker declares, for the records made here; null for a line of a sample file,
     *     whose outcome the folder's {@value ExpectedOutcomes#FILE_NAME} declares, if it has one
     * @param jsonSchemas the {@code structure.json_schema} of each request that sets one, or the schema of a call
     *     of its tools, by request id: its completion must be JSON valid against it
     */
    public record Sample(SampleRecord record, String origin, List<String> requestIds, Outcome declared,
            Map<String, String> jsonSchemas) {

        public Sample {
            requestIds = List.copyOf(requestIds);
            jsonSchemas = Map.copyOf(jsonSchemas);
        }
    }

    private SamplePrompts() {}

    /** The samples of the folder {@code samples}, in publishing order: prompts, malformed lines, binary records. */
    public static List<Sample> load(Path samples) {
        RecordCodec<PromptRequest> codec = new RecordCodec<>(PromptRequest.getClassSchema());
        List<Sample> loaded = new ArrayList<>();
        int singles = 0;
        for (Line line : lines(samples.resolve(PROMPTS))) {
            JsonNode node = json(line).orElseThrow(() -> new IllegalArgumentException(
                    line.origin() + " is not a JSON object; malformed inputs belong in " + MALFORMED));
            String key = node.path("request_id").asText(node.path("batch_id").asText(null));
            byte[] value = line.text().getBytes(StandardCharsets.UTF_8);
            if (!node.has("requests") && singles++ % 3 == 0) {
                value = codec.encode(JsonAvro.fromJson(node, PromptRequest.getClassSchema()), false);
            }
            loaded.add(new Sample(new SampleRecord(key, value), line.origin(), requestIds(node), null,
                    jsonSchemas(node)));
        }
        for (Line line : lines(samples.resolve(MALFORMED))) {
            List<String> ids = json(line).map(SamplePrompts::requestIds).orElse(List.of());
            loaded.add(new Sample(new SampleRecord(null, line.text().getBytes(StandardCharsets.UTF_8)),
                    line.origin(), ids, null, Map.of()));
        }
        loaded.addAll(malformedBinary(codec));
        return loaded;
    }

    /**
     * Random bytes, a truncated Avro record, invalid UTF-8, and Avro of an unknown schema. None has a request id a
     * reader could find, and each declares how it must be refused.
     */
    private static List<Sample> malformedBinary(RecordCodec<PromptRequest> codec) {
        SplittableRandom random = new SplittableRandom(42);
        byte[] noise = new byte[64];
        random.nextBytes(noise);
        byte[] avro = codec.encode(PromptRequest.newBuilder()
                .setRequestId("truncated").setTenant("acme-retail")
                .setTask(dev.sluice.schema.Task.CHAT).setPrompt("a prompt cut short in transit").build(), false);
        byte[] unknownSchema = avro.clone();
        unknownSchema[2] ^= 0x5A;
        return List.of(
                binary("random bytes", noise, RejectReason.DECODE_ERROR),
                binary("truncated Avro", Arrays.copyOf(avro, avro.length / 2), RejectReason.DECODE_ERROR),
                binary("invalid UTF-8", new byte[] {'{', (byte) 0xFF, (byte) 0xFE, '}'}, RejectReason.DECODE_ERROR),
                binary("Avro of an unknown schema", unknownSchema, RejectReason.SCHEMA_MISMATCH));
    }

    private static Sample binary(String what, byte[] value, RejectReason refusal) {
        return new Sample(new SampleRecord(null, value), "binary record: " + what, List.of(),
                Outcome.rejected(refusal), Map.of());
    }

    /** The request ids a JSON sample states: its own, or its batch items'. */
    private static List<String> requestIds(JsonNode node) {
        List<String> ids = new ArrayList<>();
        if (node.path("requests").isArray()) {
            node.get("requests").forEach(item -> addIfText(ids, item.path("request_id")));
        } else {
            addIfText(ids, node.path("request_id"));
        }
        return ids;
    }

    /**
     * The JSON schemas a JSON sample's requests set, by request id: {@code structure.json_schema}, or for tools the
     * schema of one call of them ({@link ToolSchema}), which the completion's text is then.
     */
    private static Map<String, String> jsonSchemas(JsonNode node) {
        Map<String, String> schemas = new HashMap<>();
        Iterable<JsonNode> requests = node.path("requests").isArray() ? node.get("requests") : List.of(node);
        for (JsonNode request : requests) {
            JsonNode schema = request.path("structure").path("json_schema");
            JsonNode tools = request.path("structure").path("tools");
            if (!request.path("request_id").isTextual()) {
                continue;
            }
            if (schema.isTextual()) {
                schemas.put(request.get("request_id").textValue(), schema.textValue());
            } else if (tools.isArray() && !tools.isEmpty()) {
                schemas.put(request.get("request_id").textValue(), ToolSchema.of(toolDefinitions(tools)));
            }
        }
        return schemas;
    }

    private static List<ToolDefinition> toolDefinitions(JsonNode tools) {
        List<ToolDefinition> definitions = new ArrayList<>();
        for (JsonNode tool : tools) {
            JsonNode parameters = tool.path("parameters");
            definitions.add(new ToolDefinition(tool.path("name").asText(), tool.path("description").asText(null),
                    parameters.isTextual() ? parameters.textValue() : parameters.toString()));
        }
        return definitions;
    }

    private static void addIfText(List<String> ids, JsonNode id) {
        if (id.isTextual()) {
            ids.add(id.textValue());
        }
    }

    /** A non-blank line of a sample file, numbered as an editor numbers it. */
    private record Line(String origin, String text) {}

    private static List<Line> lines(Path file) {
        List<String> all;
        try {
            all = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read samples from " + file, e);
        }
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (!all.get(i).isBlank()) {
                lines.add(new Line(file.getFileName() + ":" + (i + 1), all.get(i)));
            }
        }
        return lines;
    }

    /** The line as a JSON object, or empty where it is no JSON object. */
    private static Optional<JsonNode> json(Line line) {
        try {
            JsonNode node = JsonAvro.mapper().readTree(line.text());
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }
}
