package dev.sluice.chaos;

import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogGate.Reason;
import dev.sluice.routing.CatalogKeys;
import dev.sluice.routing.CatalogModel;
import dev.sluice.routing.CatalogSignature;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * The records {@code sluice bench chaos --faults poison} mixes into steady load: what a hostile or broken producer
 * can write to the topics it is allowed to write, each record distinct, each with the outcome it must get. Prompts
 * go to the hostile tenant's own prompts topic (in {@code tenancy: topic} ACLs keep it from any other), run
 * commands to its own run commands topic. Catalog documents go to the catalog topic, which ACLs leave to the
 * operator: they stand for a writer that got there all the same (a leaked credential, a forgotten ACL), whom only
 * the signature stops.
 */
final class HostileRecords {

    /** Where a hostile record is written. */
    enum Target { PROMPTS, RUN_COMMANDS, CATALOG }

    /**
     * One hostile record.
     *
     * @param kind what is wrong with it, for the report
     * @param target the topic it goes to
     * @param key its record key
     * @param value its value; null is a tombstone
     * @param signature its catalog signature header, or null for none
     * @param expected the reasons any one of which answers it properly: for prompts, a reject's reason; for run
     *     commands and catalog documents, the reason a dead letter starts with, where empty any dead letter will do
     */
    record Hostile(String kind, Target target, String key, byte[] value, byte[] signature, Set<String> expected) {}

    private static final RecordCodec<PromptRequest> REQUESTS = new RecordCodec<>(PromptRequest.getClassSchema());
    private static final RecordCodec<RunCommand> COMMANDS = new RecordCodec<>(RunCommand.getClassSchema());
    private static final Set<String> INVALID = reasons(RejectReason.INVALID_FIELD);
    private static final Set<String> UNREADABLE = reasons(RejectReason.DECODE_ERROR);
    /** Where every deployment of a hostile catalog sends prompts. */
    private static final String ATTACKER = "attacker.example:443";

    private final String tenant;
    private final String victim;
    private final String victimRun;
    private final int maxRecordBytes;
    private final Catalog inForce;
    private final Random random;
    private final List<Hostile> records = new ArrayList<>();

    /**
     * @param tenant the hostile tenant, whose topics the records go to
     * @param victim a well-behaved tenant the records try to pose as
     * @param victimRun a bulk run of {@code victim}'s that forged commands try to cancel
     * @param maxRecordBytes the intake's {@code limits.max-record-bytes}
     * @param inForce the catalog the job runs with, which hostile catalog documents try to replace
     */
    private HostileRecords(String tenant, String victim, String victimRun, int maxRecordBytes, Catalog inForce,
            long seed) {
        this.tenant = tenant;
        this.victim = victim;
        this.victimRun = victimRun;
        this.maxRecordBytes = maxRecordBytes;
        this.inForce = inForce;
        this.random = new Random(seed);
    }

    /** At least {@code perKind} records of each cheap kind, and a few of each kind that weighs megabytes. */
    static List<Hostile> generate(String tenant, String victim, String victimRun, int maxRecordBytes, Catalog inForce,
            int perKind, long seed) {
        HostileRecords hostile = new HostileRecords(tenant, victim, victimRun, maxRecordBytes, inForce, seed);
        hostile.all(perKind);
        return hostile.records;
    }

    private void all(int perKind) {
        int heavy = Math.max(2, perKind / 20);
        // Fields far over their caps: before the caps, one such record failed the sink and stopped every tenant.
        prompts("oversized-tenant", heavy, INVALID, i -> json(id(i), "t".repeat(maxRecordBytes / 2 + i), "chat", "hi"));
        prompts("oversized-request-id", heavy, INVALID, i -> json("r".repeat(maxRecordBytes / 3 + i), tenant, "chat", "hi"));
        prompts("oversized-item-id", heavy, INVALID,
                i -> withFields(json(id(i), tenant, "chat", "hi"), "\"run_id\": \"r\", \"item_index\": 0, \"item_id\": \""
                        + "i".repeat(maxRecordBytes / 3 + i) + "\""));
        prompts("oversized-language", heavy, INVALID, i -> withFields(json(id(i), tenant, "translate", "hi"),
                "\"target_language\": \"" + "j".repeat(maxRecordBytes / 3 + i) + "\""));
        prompts("oversized-hint", heavy, INVALID, i -> withFields(json(id(i), tenant, "chat", "hi"),
                "\"hints\": {\"preferred_model\": \"" + "m".repeat(maxRecordBytes / 3 + i) + "\"}"));
        prompts("many-capabilities", heavy, INVALID, i -> withFields(json(id(i), tenant, "chat", "hi"),
                "\"constraints\": {\"capabilities\": [" + repeatJoined("\"chat\"", 20_000 + i) + "]}"));
        prompts("many-stop-strings", heavy, INVALID, i -> withFields(json(id(i), tenant, "chat", "hi"),
                "\"params\": {\"stop\": [" + repeatJoined("\"x\"", 20_000 + i) + "]}"));
        prompts("oversized-stop-string", heavy, INVALID, i -> withFields(json(id(i), tenant, "chat", "hi"),
                "\"params\": {\"stop\": [\"" + "s".repeat(maxRecordBytes / 3 + i) + "\"]}"));
        prompts("many-messages", heavy, INVALID, i -> ("{\"request_id\": \"" + id(i) + "\", \"tenant\": \"" + tenant
                + "\", \"task\": \"chat\", \"messages\": [" + repeatJoined("{\"role\": \"user\", \"content\": \"a\"}",
                5_000 + i) + "]}").getBytes(StandardCharsets.UTF_8));
        // Just over a cap, cheaply, many times.
        prompts("long-tenant", perKind, INVALID, i -> json(id(i), "t".repeat(65 + i % 100), "chat", "hi"));
        prompts("long-request-id", perKind, INVALID, i -> json("r".repeat(257 + i), tenant, "chat", "hi"));
        prompts("control-characters", perKind, INVALID, i -> json(id(i) + "\\u0007", tenant, "chat", "hi"));
        prompts("empty-batch", perKind, INVALID, i -> ("{\"tenant\": \"" + tenant + "\", \"batch_id\": \"b-" + i
                + "\", \"requests\": []}").getBytes(StandardCharsets.UTF_8));
        // The intake's record limit, exactly and one byte over.
        prompts("at-record-limit", heavy, reasons(RejectReason.TOO_LARGE), i -> padded(json(id(i), tenant, "chat",
                "p".repeat(maxRecordBytes - 200)), maxRecordBytes));
        prompts("over-record-limit", heavy, reasons(RejectReason.TOO_LARGE),
                i -> padded(json(id(i), tenant, "chat", "hi"), maxRecordBytes + 1 + i));
        // Parsers' worst cases.
        prompts("deep-json", perKind, UNREADABLE, i -> ("[".repeat(5_000 + i * 10) + "]".repeat(5_000 + i * 10))
                .getBytes(StandardCharsets.UTF_8));
        prompts("huge-json", heavy, reasons(RejectReason.SCHEMA_MISMATCH), i -> ("{\"request_id\": \"" + id(i)
                + "\", \"tenant\": \"" + tenant + "\", \"task\": \"chat\", \"prompt\": [" + numbers(maxRecordBytes / 8, i)
                + "]}").getBytes(StandardCharsets.UTF_8));
        prompts("invalid-utf8", perKind, UNREADABLE, i -> invalidUtf8(i));
        prompts("tombstone", Math.max(1, perKind / 5), UNREADABLE, i -> null);
        // Avro single-object records that are not what they say.
        prompts("wrong-fingerprint", perKind, reasons(RejectReason.SCHEMA_MISMATCH), i -> wrongFingerprint());
        prompts("truncated-avro", perKind, UNREADABLE, i -> truncatedAvro(i));
        prompts("avro-huge-length", perKind, UNREADABLE, i -> hugeLengthAvro(i));
        // Posing as another tenant from its own topic.
        prompts("spoofed-tenant", perKind * 2, reasons(RejectReason.TENANT_MISMATCH),
                i -> i % 2 == 0 ? json(id(i), victim, "chat", "hi") : REQUESTS.encode(PromptRequest.newBuilder()
                        .setRequestId(id(i)).setTenant(victim).setTask(Task.CHAT).setPrompt("hi").build(), false));
        prompts("spoofed-batch", perKind, reasons(RejectReason.TENANT_MISMATCH), i -> ("{\"tenant\": \"" + victim
                + "\", \"requests\": [{\"request_id\": \"" + id(i) + "\", \"task\": \"chat\", \"prompt\": \"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8));
        // Commands about another tenant's run, and commands that are no commands.
        commands("forged-cancel", perKind, reasons(RejectReason.TENANT_MISMATCH), i -> COMMANDS.encode(
                RunCommand.newBuilder().setRunId(victimRun).setTenant(victim).setAction(RunAction.CANCEL)
                        .setIssuedAt(i).build(), i % 2 == 0));
        commands("garbage-command", perKind, Set.of(), i -> invalidUtf8(i + 1_000_000));
        // Catalogs that would send every prompt elsewhere, or serve every tenant without a policy.
        Catalog redirected = inForce.withEndpoints(inForce.deployed().stream()
                .collect(Collectors.toMap(CatalogModel::id, model -> ATTACKER, (a, b) -> a)));
        Catalog policiesDropped = new Catalog(inForce.models(), Map.of(), inForce.ranking());
        KeyPair attacker = CatalogKeys.generate();
        catalogs("unsigned-redirect", perKind, reasons(Reason.UNSIGNED), i -> document(redirected, i), i -> null);
        catalogs("unsigned-no-policies", perKind, reasons(Reason.UNSIGNED), i -> document(policiesDropped, i),
                i -> null);
        catalogs("self-signed-redirect", perKind, reasons(Reason.BAD_SIGNATURE), i -> document(redirected, i),
                i -> CatalogSignature.sign(attacker.getPrivate(), document(redirected, i)));
        catalogs("garbage-signature", perKind, reasons(Reason.BAD_SIGNATURE), i -> document(redirected, i),
                i -> invalidUtf8(i));
    }

    private void prompts(String kind, int count, Set<String> expected, IntFunction<byte[]> value) {
        add(kind, Target.PROMPTS, count, expected, value, i -> null);
    }

    private void commands(String kind, int count, Set<String> expected, IntFunction<byte[]> value) {
        add(kind, Target.RUN_COMMANDS, count, expected, value, i -> null);
    }

    private void catalogs(String kind, int count, Set<String> expected, IntFunction<byte[]> value,
            IntFunction<byte[]> signature) {
        add(kind, Target.CATALOG, count, expected, value, signature);
    }

    private void add(String kind, Target target, int count, Set<String> expected, IntFunction<byte[]> value,
            IntFunction<byte[]> signature) {
        for (int i = 0; i < count; i++) {
            records.add(new Hostile(kind, target, kind + "-" + i, value.apply(i), signature.apply(i), expected));
        }
    }

    private static Set<String> reasons(Enum<?>... reasons) {
        return Arrays.stream(reasons).map(Enum::name).collect(Collectors.toUnmodifiableSet());
    }

    /** {@code catalog} as the catalog topic carries it, made distinct by a comment. */
    private static byte[] document(Catalog catalog, int salt) {
        return (catalog.toYaml() + "# " + salt + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private String id(int i) {
        return "hostile-" + records.size() + "-" + i;
    }

    private static byte[] json(String id, String tenant, String task, String prompt) {
        return ("{\"request_id\": \"" + id + "\", \"tenant\": \"" + tenant + "\", \"task\": \"" + task
                + "\", \"prompt\": \"" + prompt + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code record} (a JSON object) with {@code fields} added before its closing brace. */
    private static byte[] withFields(byte[] record, String fields) {
        String text = new String(record, StandardCharsets.UTF_8);
        return (text.substring(0, text.length() - 1) + ", " + fields + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code record} followed by spaces up to {@code size} bytes: still the same JSON. */
    private static byte[] padded(byte[] record, int size) {
        byte[] padded = Arrays.copyOf(record, Math.max(size, record.length));
        Arrays.fill(padded, record.length, padded.length, (byte) ' ');
        return padded;
    }

    private static String repeatJoined(String element, int times) {
        return String.join(", ", java.util.Collections.nCopies(times, element));
    }

    private static String numbers(int count, int salt) {
        StringBuilder numbers = new StringBuilder().append(salt);
        for (int k = 1; k < count; k++) {
            numbers.append(',').append(k % 10);
        }
        return numbers.toString();
    }

    /** Bytes that are neither Avro's single-object marker nor UTF-8: a lone continuation byte among them. */
    private byte[] invalidUtf8(int salt) {
        byte[] bytes = new byte[16 + salt % 64];
        random.nextBytes(bytes);
        bytes[0] = (byte) 0x80;
        bytes[1] = (byte) (salt & 0x7f);
        return bytes;
    }

    /** The single-object marker and a fingerprint of no schema Sluice reads. */
    private byte[] wrongFingerprint() {
        byte[] bytes = new byte[10 + 32];
        random.nextBytes(bytes);
        bytes[0] = (byte) 0xC3;
        bytes[1] = 0x01;
        return bytes;
    }

    /** A valid PromptRequest cut short: the header is right, the body ends early. */
    private byte[] truncatedAvro(int salt) {
        byte[] whole = REQUESTS.encode(PromptRequest.newBuilder().setRequestId("truncated-" + salt)
                .setTenant(tenant).setTask(Task.CHAT).setPrompt("a prompt that will be cut off " + salt).build(), false);
        return Arrays.copyOf(whole, 10 + 1 + salt % (whole.length - 12));
    }

    /**
     * A PromptRequest's header whose first field, the request id, claims a length of about a gigabyte: a decoder
     * that believed it would try to allocate it.
     */
    private byte[] hugeLengthAvro(int salt) {
        byte[] header = Arrays.copyOf(REQUESTS.encode(PromptRequest.newBuilder().setRequestId("x").setTenant(tenant)
                .setTask(Task.CHAT).setPrompt("p").build(), false), 10);
        long claimed = (1L << 30) + salt;
        byte[] length = zigZagVarint(claimed);
        byte[] record = Arrays.copyOf(header, header.length + length.length + 4);
        System.arraycopy(length, 0, record, header.length, length.length);
        return record;
    }

    private static byte[] zigZagVarint(long value) {
        long zigZag = (value << 1) ^ (value >> 63);
        byte[] out = new byte[10];
        int n = 0;
        while ((zigZag & ~0x7FL) != 0) {
            out[n++] = (byte) ((zigZag & 0x7F) | 0x80);
            zigZag >>>= 7;
        }
        out[n++] = (byte) zigZag;
        return Arrays.copyOf(out, n);
    }
}
