package dev.sluice.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.intake.RandomPrompts.Slot;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.serde.JsonAvro;
import dev.sluice.serde.RecordCodec;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of {@link PromptDecoder}. Inputs malformed by construction (random bytes, truncated Avro and
 * JSON, invalid UTF-8, wrong types, missing fields, unknown enums, values out of range, bad batch items, bytes
 * after the record) must each give a problem with a reason; random byte flips of valid records, which may or may
 * not stay valid, must never throw. Whatever is accepted passes validation. The distinct inputs tried are counted
 * and printed.
 */
class BadInputFuzzTest {

    private static final long SEED = 0x511CE_0006L;
    private static final int ROUNDS = 1_500;
    /** Sequences no UTF-8 decoder may accept: a lone continuation, overlong, surrogate, cut, out of range. */
    private static final byte[][] INVALID_UTF8 = {
        {(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE3, 0x41},
        {(byte) 0xF0, (byte) 0x90, (byte) 0x80}, {(byte) 0xF8}, {(byte) 0xFF}, {(byte) 0xC3}};

    private final IntakeLimits limits = new IntakeLimits(1 << 20, 100_000, 8, 32_768, 256);
    private final PromptDecoder decoder = new PromptDecoder(limits);
    private final PromptValidator validator = new PromptValidator(limits);
    private final RecordCodec<PromptRequest> requests = new RecordCodec<>(PromptRequest.getClassSchema());
    private final RecordCodec<PromptBatch> batches = new RecordCodec<>(PromptBatch.getClassSchema());
    private final Random random = new Random(SEED);
    private final RandomPrompts prompts = new RandomPrompts(random, limits);
    private final Set<ByteBuffer> malformed = new HashSet<>();
    private final Set<ByteBuffer> flipped = new HashSet<>();

    @Test
    void everyMalformedInputIsRejectedWithAReasonAndNothingThrows() {
        for (int round = 0; round < ROUNDS; round++) {
            PromptRequest valid = prompts.request(prompts.tenant());
            byte[] avro = requests.encode(valid, false);
            byte[] json = bytes(RandomPrompts.json(valid));
            byte[] avroBatch = batches.encode(avroBatch(), false);

            rejected(randomBytes());
            rejected(truncated(avro));
            rejected(truncated(avroBatch));
            rejected(truncated(json));
            rejected(withInvalidUtf8(json, 0, json.length));
            byte[] id = valid.getRequestId().getBytes(StandardCharsets.UTF_8);
            rejected(withInvalidUtf8(avro, indexOf(avro, id), id.length));
            rejected(appended(random.nextBoolean() ? avro : json));
            rejected(bytes(broken(RandomPrompts.json(valid), false)));
            rejectedItem(jsonBatchWithOneBadItem());
            rejectedItem(batches.encode(avroBatchWithAnIntruder(), false));
            rejected(bytes(tooManyItems()));
            rejected(emptyBatch());
            for (byte[] record : List.of(avro, json, avroBatch)) {
                survives(flipped(record));
            }
        }

        System.out.printf(Locale.ROOT, "bad-input suite: %,d distinct malformed inputs, every one rejected with a "
                + "reason; %,d distinct byte-flipped records, none thrown, every accepted request valid%n",
                malformed.size(), flipped.size());
        assertThat(malformed).hasSizeGreaterThan(10 * ROUNDS);
    }

    /** A malformed record: no request comes out, and a problem says why. */
    private void rejected(byte[] value) {
        DecodedRecord decoded = decode(value, malformed);
        assertThat(decoded.requests()).as(describe(value)).isEmpty();
        assertThat(decoded.problems()).as(describe(value)).singleElement()
                .satisfies(p -> assertThat(p.message()).isNotBlank());
    }

    /** A batch with one bad item: that item gets a problem, every other item comes out. */
    private void rejectedItem(byte[] value) {
        DecodedRecord decoded = decode(value, malformed);
        assertThat(decoded.problems()).as(describe(value)).singleElement()
                .satisfies(p -> assertThat(p.requestId()).isNotNull());
    }

    /** Any record: decoding returns an outcome for it, and what it accepts is valid. */
    private void survives(byte[] value) {
        DecodedRecord decoded = decode(value, flipped);
        assertThat(decoded.requests().size() + decoded.problems().size()).as(describe(value)).isPositive();
    }

    private DecodedRecord decode(byte[] value, Set<ByteBuffer> tried) {
        tried.add(ByteBuffer.wrap(value));
        DecodedRecord decoded = decoder.decode(value);
        assertThat(decoded.requests()).as(describe(value)).allSatisfy(r -> assertThat(validator.check(r)).isEmpty());
        assertThat(decoded.problems()).as(describe(value)).allSatisfy(p -> assertThat(p.reason()).isNotNull());
        return decoded;
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[random.nextInt(96)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A strict prefix: the record's last byte ends its last field, or closes its JSON object. */
    private byte[] truncated(byte[] record) {
        return Arrays.copyOf(record, random.nextInt(record.length));
    }

    /**
     * An invalid UTF-8 sequence written over ASCII bytes of {@code record[from, from + span)}, so lengths stay,
     * and followed by an ASCII byte: over part of a character, a lone continuation byte could complete it.
     */
    private byte[] withInvalidUtf8(byte[] record, int from, int span) {
        byte[] sequence = INVALID_UTF8[random.nextInt(INVALID_UTF8.length)];
        byte[] value = record.clone();
        int at;
        do {
            at = from + random.nextInt(span - sequence.length + 1);
        } while (!ascii(record, at, Math.min(record.length, at + sequence.length + 1)));
        System.arraycopy(sequence, 0, value, at, sequence.length);
        return value;
    }

    /** Random bytes after the record; the first is not whitespace, which JSON could end with. */
    private byte[] appended(byte[] record) {
        byte[] value = Arrays.copyOf(record, record.length + 1 + random.nextInt(8));
        byte[] tail = new byte[value.length - record.length];
        random.nextBytes(tail);
        tail[0] = Character.isWhitespace(tail[0]) ? (byte) '}' : tail[0];
        System.arraycopy(tail, 0, value, record.length, tail.length);
        return value;
    }

    private byte[] flipped(byte[] record) {
        byte[] value = record.clone();
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            value[random.nextInt(value.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return value;
    }

    /**
     * {@code request} broken in one way: a value of the wrong type, a required field left out, an unknown enum
     * symbol, or a value outside its limits. In a batch, a missing tenant is no fault (items take the batch's).
     */
    private ObjectNode broken(ObjectNode request, boolean inBatch) {
        List<Slot> slots = RandomPrompts.slots(request, PromptRequest.getClassSchema());
        switch (random.nextInt(4)) {
            case 0 -> {
                Slot slot = slots.get(random.nextInt(slots.size()));
                slot.parent().set(slot.field(), prompts.wrongType(slot.schema()));
            }
            case 1 -> {
                List<Slot> required = slots.stream().filter(Slot::required)
                        .filter(s -> !(inBatch && s.field().equals("tenant"))).toList();
                Slot slot = required.get(random.nextInt(required.size()));
                slot.parent().remove(slot.field());
            }
            case 2 -> request.put(random.nextBoolean() ? "task" : "priority", "no-such-" + random.nextInt(1000));
            default -> outOfRange(request);
        }
        return request;
    }

    private void outOfRange(ObjectNode request) {
        ObjectNode params = request.has("params") && request.get("params").isObject()
                ? (ObjectNode) request.get("params") : request.putObject("params");
        switch (random.nextInt(9)) {
            case 0 -> params.put("max_tokens", -random.nextInt(1_000));
            case 1 -> params.put("max_tokens", limits.maxTokensCeiling() + 1 + random.nextInt(Integer.MAX_VALUE
                    - limits.maxTokensCeiling()));
            case 2 -> params.put("temperature", random.nextBoolean() ? -0.01 - random.nextDouble() : 2.01 + random
                    .nextDouble() * 1e6);
            case 3 -> params.put("top_p", random.nextBoolean() ? 0.0 : 1.0001 + random.nextDouble());
            case 4 -> request.put("request_id", random.nextBoolean() ? " ".repeat(random.nextInt(3)) : "r".repeat(257
                    + random.nextInt(100)));
            case 5 -> request.put("tenant", " ".repeat(random.nextInt(4)));
            case 6 -> prompt(request, String.valueOf((char) (random.nextBoolean() ? random.nextInt(9) : 0x7F
                    + random.nextInt(0x21))));
            case 7 -> oversized(request);
            default -> prompt(request, String.valueOf((char) (0xD800 + random.nextInt(0x800))));
        }
    }

    /** One text a producer sets, over its cap by up to 100,000 characters. */
    private void oversized(ObjectNode request) {
        String text = "o".repeat(FieldCaps.ID_CHARS + 1 + random.nextInt(100_000));
        switch (random.nextInt(5)) {
            case 0 -> request.put("tenant", text);
            case 1 -> request.put("source_language", text);
            case 2 -> request.putObject("hints").put("preferred_model", text);
            case 3 -> request.putObject("params").putArray("stop").add(text);
            default -> request.putObject("constraints").putArray("capabilities").add(text);
        }
    }

    /** Puts {@code insert} into the request's prompt text, or its first message. */
    private void prompt(ObjectNode request, String insert) {
        JsonNode messages = request.get("messages");
        if (messages != null && messages.isArray() && !messages.isEmpty()) {
            ObjectNode first = (ObjectNode) messages.get(0);
            first.put("content", first.get("content").asText() + insert + "x");
        } else {
            request.put("prompt", request.path("prompt").asText("p") + insert + "x");
        }
    }

    private PromptBatch avroBatch() {
        String tenant = prompts.tenant();
        List<PromptRequest> items = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(limits.maxBatchPrompts()); i < n; i++) {
            items.add(prompts.request(tenant));
        }
        return PromptBatch.newBuilder().setTenant(tenant).setRunId(random.nextBoolean() ? "run" : null)
                .setRequests(items).build();
    }

    private PromptBatch avroBatchWithAnIntruder() {
        PromptBatch batch = avroBatch();
        List<PromptRequest> items = new ArrayList<>(batch.getRequests());
        items.set(random.nextInt(items.size()), prompts.request(batch.getTenant() + "-other"));
        return PromptBatch.newBuilder(batch).setRequests(items).build();
    }

    private byte[] jsonBatchWithOneBadItem() {
        String tenant = prompts.tenant();
        List<ObjectNode> items = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(limits.maxBatchPrompts()); i < n; i++) {
            ObjectNode item = RandomPrompts.json(prompts.request(tenant));
            item.remove("tenant");
            items.add(item);
        }
        int bad = random.nextInt(items.size());
        items.set(bad, brokenKeepingId(items.get(bad)));
        ObjectNode batch = JsonAvro.mapper().createObjectNode().put("tenant", tenant);
        batch.set("requests", RandomPrompts.array(items));
        return bytes(batch);
    }

    /** A bad item names its request in its problem only if its id is readable: break anything but that. */
    private ObjectNode brokenKeepingId(ObjectNode item) {
        ObjectNode broken;
        do {
            broken = broken(item.deepCopy(), true);
        } while (!broken.path("request_id").isTextual());
        return broken;
    }

    private byte[] emptyBatch() {
        String tenant = prompts.tenant();
        if (random.nextBoolean()) {
            return batches.encode(PromptBatch.newBuilder().setTenant(tenant).setRequests(List.of()).build(), false);
        }
        ObjectNode batch = JsonAvro.mapper().createObjectNode().put("tenant", tenant);
        batch.putArray("requests");
        return bytes(batch);
    }

    private ObjectNode tooManyItems() {
        ObjectNode batch = JsonAvro.mapper().createObjectNode().put("tenant", prompts.tenant());
        var array = batch.putArray("requests");
        for (int i = 0, n = limits.maxBatchPrompts() + 1 + random.nextInt(200); i < n; i++) {
            array.addObject();
        }
        return batch;
    }

    /** Raw UTF-8 where Jackson can write it; a lone surrogate it can only write as a {@code \\u} escape. */
    private static byte[] bytes(JsonNode node) {
        try {
            return JsonAvro.mapper().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            try {
                return JsonAvro.mapper().writer().with(JsonWriteFeature.ESCAPE_NON_ASCII).writeValueAsBytes(node);
            } catch (JsonProcessingException again) {
                throw new UncheckedIOException(again);
            }
        }
    }

    private static boolean ascii(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    private static Supplier<String> describe(byte[] value) {
        return () -> {
            ByteArrayOutputStream shown = new ByteArrayOutputStream();
            shown.writeBytes(Arrays.copyOf(value, Math.min(value.length, 400)));
            return "input (" + value.length + " bytes): " + shown.toString(StandardCharsets.ISO_8859_1);
        };
    }
}
