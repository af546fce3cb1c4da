package dev.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schema.PromptRequest;
import dev.sluice.serde.JsonAvro;
import dev.sluice.serde.RecordCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo's input: the shipped sample prompts (every third single request re-encoded as Avro, so both formats
 * travel), the shipped malformed JSON lines, and a few malformed binary records made here.
 */
public final class SamplePrompts {

    /**
     * One record to publish.
     *
     * @param key the record key, the request id where there is one
     * @param value the record value
     */
    public record SampleRecord(String key, byte[] value) {}

    private SamplePrompts() {}

    public static List<SampleRecord> load(Path samples) {
        RecordCodec<PromptRequest> codec = new RecordCodec<>(PromptRequest.getClassSchema());
        List<SampleRecord> records = new ArrayList<>();
        int singles = 0;
        for (String line : lines(samples.resolve("prompts.jsonl"))) {
            JsonNode node = parse(line);
            String key = node.path("request_id").asText(node.path("batch_id").asText(null));
            byte[] value = line.getBytes(StandardCharsets.UTF_8);
            if (!node.has("requests") && singles++ % 3 == 0) {
                value = codec.encode(JsonAvro.fromJson(node, PromptRequest.getClassSchema()), false);
            }
            records.add(new SampleRecord(key, value));
        }
        for (String line : lines(samples.resolve("malformed.jsonl"))) {
            records.add(new SampleRecord(null, line.getBytes(StandardCharsets.UTF_8)));
        }
        records.addAll(malformedBinary(codec));
        return records;
    }

    /** Random bytes, a truncated Avro record, invalid UTF-8, and Avro of an unknown schema. */
    private static List<SampleRecord> malformedBinary(RecordCodec<PromptRequest> codec) {
        SplittableRandom random = new SplittableRandom(42);
        byte[] noise = new byte[64];
        random.nextBytes(noise);
        byte[] avro = codec.encode(PromptRequest.newBuilder()
                .setRequestId("truncated").setTenant("acme-retail")
                .setTask(dev.sluice.schema.Task.CHAT).setPrompt("a prompt cut short in transit").build(), false);
        byte[] unknownSchema = avro.clone();
        unknownSchema[2] ^= 0x5A;
        return List.of(
                new SampleRecord(null, noise),
                new SampleRecord(null, Arrays.copyOf(avro, avro.length / 2)),
                new SampleRecord(null, new byte[] {'{', (byte) 0xFF, (byte) 0xFE, '}'}),
                new SampleRecord(null, unknownSchema));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read samples from " + file, e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JsonAvro.mapper().readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("sample line is not JSON: " + line, e);
        }
    }
}
