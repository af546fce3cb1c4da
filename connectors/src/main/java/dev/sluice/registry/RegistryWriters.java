package dev.sluice.registry;

import dev.sluice.serde.WriterSchemas;
import java.time.Clock;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * The writer schemas of registry-framed records, for a reader that accepts {@link WriterSchemas}: each id's schema
 * is fetched once, checked to be a record the reader knows that Avro can resolve to it, and the verdict kept, a
 * refusal as well as a success, so a record with an id the registry does not have costs one request, not one each.
 *
 * <p>The ids come from producers, so they are hostile: at most {@link #NEW_IDS_PER_SECOND} ids not seen before are
 * looked up a second (a burst of as many), and a record whose id would exceed that is refused without a request.
 * A producer's own schemas are a handful of ids, seen once each; only made-up ids come in floods. Not thread-safe:
 * one per decoder.
 */
public final class RegistryWriters {

    /** A record's id that cannot be read, and why. */
    public static final class RefusedSchemaException extends RuntimeException {
        RefusedSchemaException(String message) {
            super(message, null, false, false);
        }
    }

    static final int NEW_IDS_PER_SECOND = 10;
    /** Verdicts kept: ample for every schema a registry's producers use, bounded against made-up ids. */
    static final int VERDICTS = 1000;

    private record Verdict(WriterSchemas.Resolution resolution, String refusal) {}

    private final SchemaRegistryClient registry;
    private final WriterSchemas readers;
    private final Clock clock;
    private final LruCache<Integer, Verdict> verdicts = new LruCache<>(VERDICTS);
    private double tokens = NEW_IDS_PER_SECOND;
    private long refilledAt;

    public RegistryWriters(SchemaRegistryClient registry, WriterSchemas readers) {
        this(registry, readers, Clock.systemUTC());
    }

    RegistryWriters(SchemaRegistryClient registry, WriterSchemas readers, Clock clock) {
        this.registry = registry;
        this.readers = readers;
        this.clock = clock;
        this.refilledAt = clock.millis();
    }

    /**
     * The writer schema registered as {@code id} and the reader its records resolve to.
     *
     * @throws RefusedSchemaException when the registry has no such id, holds something else under it, or the
     *     schema is not one Avro can resolve to a reader; or when the id is new and too many new ones came
     * @throws RegistryException when the registry could not be asked ({@link RegistryException#isRetryable()}):
     *     the record is fine, the registry is not, and the caller decides whether to wait or fail over
     */
    public WriterSchemas.Resolution resolve(int id) {
        Verdict known = verdicts.get(id);
        if (known == null) {
            if (!takeToken()) {
                throw new RefusedSchemaException("schema id " + id + " not looked up: more than "
                        + NEW_IDS_PER_SECOND + " new schema ids a second");
            }
            known = lookUp(id);
            verdicts.put(id, known);
        }
        if (known.refusal() != null) {
            throw new RefusedSchemaException(known.refusal());
        }
        return known.resolution();
    }

    private Verdict lookUp(int id) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (RegistryException e) {
            if (e.isRetryable()) {
                throw e;
            }
            return new Verdict(null, "schema id " + id + ": " + e.getMessage());
        }
        return readers.resolve(writer)
                .map(resolution -> resolvable(id, resolution))
                .orElseGet(() -> new Verdict(null, "schema id " + id + " is " + describe(writer)
                        + ", not a record this topic takes"));
    }

    private static Verdict resolvable(int id, WriterSchemas.Resolution resolution) {
        SchemaCompatibility.SchemaPairCompatibility pair = SchemaCompatibility.checkReaderWriterCompatibility(
                resolution.reader(), resolution.writer());
        if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return new Verdict(resolution, null);
        }
        return new Verdict(null, "schema id " + id + " (" + resolution.writer().getFullName() + ") cannot be read as "
                + "the current one: " + pair.getResult().getIncompatibilities().stream().limit(3)
                        .map(problem -> problem.getMessage() + " at " + problem.getLocation())
                        .collect(Collectors.joining("; ")));
    }

    private static String describe(Schema writer) {
        return switch (writer.getType()) {
            case RECORD, ENUM, FIXED -> writer.getType().getName() + " " + writer.getFullName();
            default -> "a " + writer.getType().getName() + " schema";
        };
    }

    private boolean takeToken() {
        long now = clock.millis();
        tokens = Math.min(NEW_IDS_PER_SECOND, tokens + (now - refilledAt) * NEW_IDS_PER_SECOND / 1000.0);
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
