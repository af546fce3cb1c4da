package dev.sluice.registry;

import dev.sluice.serde.WriterSchemas;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The writer schemas of registry-framed records, for a reader that accepts {@link WriterSchemas}. Each id's schema is
 * fetched once and accepted only when it is a published version of one of the reader's records (the same
 * fingerprint, whatever subject it was registered under): those are the writers single-object records may use, all
 * of them known, bounded and resolvable to the current schema by the build's own test. Any other schema, however
 * Avro-compatible, is refused: a registered schema is the producer's, and an unknown one could rename enum symbols
 * into defaults, promote bytes to unchecked strings, or carry fields that cost nothing to claim and much to skip.
 *
 * <p>The ids are the producers' too. A schema found is kept (in a cache that refusals cannot evict); a refusal is kept
 * for {@link #REFUSAL_TTL}, since a registry's follower can be briefly behind; and at most
 * {@link #NEW_IDS_PER_SECOND} ids not seen before are looked up a second (a burst of as many), the rest refused
 * without a request, so made-up ids cost neither the registry nor the job. A producer's own schemas are a handful of
 * ids, seen once each. Not thread-safe: one per decoder.
 */
public final class RegistryWriters {

    /** A record's id that cannot be read, and why. */
    public static final class RefusedSchemaException extends RuntimeException {
        RefusedSchemaException(String message) {
            super(message, null, false, false);
        }
    }

    static final int NEW_IDS_PER_SECOND = 10;
    /** Ids kept either way: ample for every schema a registry's producers use, bounded against made-up ids. */
    static final int KEPT_IDS = 1000;
    static final Duration REFUSAL_TTL = Duration.ofMinutes(1);

    private record Refusal(String message, long expiresAtNanos) {}

    private final SchemaRegistryClient registry;
    private final WriterSchemas readers;
    private final LongSupplier nanoTime;
    private final LruCache<Integer, WriterSchemas.Resolution> found = new LruCache<>(KEPT_IDS);
    private final LruCache<Integer, Refusal> refused = new LruCache<>(KEPT_IDS);
    private double tokens = NEW_IDS_PER_SECOND;
    private long refilledAtNanos;

    public RegistryWriters(SchemaRegistryClient registry, WriterSchemas readers) {
        this(registry, readers, System::nanoTime);
    }

    RegistryWriters(SchemaRegistryClient registry, WriterSchemas readers, LongSupplier nanoTime) {
        this.registry = registry;
        this.readers = readers;
        this.nanoTime = nanoTime;
        this.refilledAtNanos = nanoTime.getAsLong();
    }

    /**
     * The writer schema registered as {@code id} and the reader its records resolve to.
     *
     * @throws RefusedSchemaException when the registry has no such id, or holds under it something other than a
     *     published version of the reader's records; or when the id is new and too many new ones came
     * @throws RegistryException when the registry could not be asked, or refused to answer (authentication, TLS, an
     *     answer from something that is not the registry's API): no verdict on the record, whose decoding fails
     */
    public WriterSchemas.Resolution resolve(int id) {
        WriterSchemas.Resolution known = found.get(id);
        if (known != null) {
            return known;
        }
        long now = nanoTime.getAsLong();
        Refusal refusal = refused.get(id);
        if (refusal != null && now - refusal.expiresAtNanos() < 0) {
            throw new RefusedSchemaException(refusal.message());
        }
        if (!takeToken(now)) {
            throw new RefusedSchemaException("schema id " + id + " not looked up: more than " + NEW_IDS_PER_SECOND
                    + " new schema ids a second");
        }
        try {
            WriterSchemas.Resolution resolution = lookUp(id);
            found.put(id, resolution);
            return resolution;
        } catch (RefusedSchemaException e) {
            refused.put(id, new Refusal(e.getMessage(), now + REFUSAL_TTL.toNanos()));
            throw e;
        }
    }

    private WriterSchemas.Resolution lookUp(int id) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (RegistryException e) {
            // The registry's own "no such schema", or an answer that is no usable Avro schema: about this id alone.
            if (e.isNotFound() || e.httpStatus().orElse(-1) == 200) {
                throw new RefusedSchemaException("schema id " + id + ": " + e.getMessage());
            }
            throw e;
        }
        return readers.resolve(SchemaNormalization.parsingFingerprint64(writer))
                .orElseThrow(() -> new RefusedSchemaException("schema id " + id + " (" + describe(writer)
                        + ") is no published version of a record this topic takes (schemas/src/main/history)"));
    }

    private static String describe(Schema writer) {
        return switch (writer.getType()) {
            case RECORD, ENUM, FIXED -> writer.getType().getName() + " " + writer.getFullName();
            default -> "a " + writer.getType().getName() + " schema";
        };
    }

    private boolean takeToken(long now) {
        tokens = Math.min(NEW_IDS_PER_SECOND, tokens + (now - refilledAtNanos) * NEW_IDS_PER_SECOND / 1e9);
        refilledAtNanos = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
