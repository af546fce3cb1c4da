package dev.sluice.serde;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * The writer schemas a reader accepts: every published version ({@link SchemaHistory}) of each of its record
 * schemas, found by CRC-64-AVRO fingerprint as Avro's {@link SchemaStore} is, and paired with the reader schema the
 * record resolves to. A single-object record names its writer only by fingerprint, so an unknown one cannot be
 * read at all.
 */
public final class WriterSchemas implements SchemaStore {

    /** A writer schema and the current schema its records are read as. */
    public record Resolution(Schema writer, Schema reader) {}

    private final SchemaStore.Cache store = new SchemaStore.Cache();
    private final Map<String, Schema> readers;

    private WriterSchemas(List<Schema> readers) {
        this.readers = readers.stream().collect(Collectors.toUnmodifiableMap(Schema::getFullName, Function.identity()));
        for (Schema reader : readers) {
            SchemaHistory.versions(reader).forEach(store::addSchema);
            // The current schema is the last published version; added as well so a record type without a history
            // (a test's, say) still reads its own records.
            store.addSchema(reader);
        }
    }

    /** Accepts every published version of each of {@code readers}. */
    public static WriterSchemas of(Schema... readers) {
        return new WriterSchemas(List.of(readers));
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return store.findByFingerprint(fingerprint);
    }

    /** The writer with this fingerprint and the reader it resolves to, if it is a version of one of the readers. */
    public Optional<Resolution> resolve(long fingerprint) {
        Schema writer = store.findByFingerprint(fingerprint);
        return writer == null ? Optional.empty() : resolve(writer);
    }

    /**
     * The reader {@code writer} resolves to: the reader of the same full name, as Avro's resolution matches named
     * types. Whether its records can be read is Avro's schema resolution to say.
     */
    public Optional<Resolution> resolve(Schema writer) {
        return Optional.ofNullable(readers.get(writer.getFullName())).map(reader -> new Resolution(writer, reader));
    }
}
