package dev.sluice.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * The writer schemas a reader accepts: every published version ({@link SchemaHistory}) of each of its record
 * schemas, found by CRC-64-AVRO fingerprint as Avro's {@code SchemaStore} finds them, and paired with the reader
 * schema the record resolves to. A single-object record names its writer only by fingerprint, so an unknown one
 * cannot be read at all.
 */
public final class WriterSchemas {

    /**
     * A writer schema, the current schema its records are read as, and Avro's reader from one to the other. The
     * reader is built once per pair, here: building it resolves the two schemas field by field, which costs more
     * than reading a small record. Built before the record is, it reaches every thread complete through the record's
     * final field; it holds no state of its own between reads (Avro's fast reader keeps none, and its resolving
     * reader keeps its state per thread), so one serves every thread.
     */
    public record Resolution(Schema writer, Schema reader, DatumReader<?> datumReader) {

        Resolution(Schema writer, Schema reader) {
            this(writer, reader, datumReader(writer, reader));
        }

        /**
         * Avro's fast reader where it is on (its default), built now; a {@link SpecificDatumReader} would build it
         * at its first read, into a field that another thread could see before what it refers to.
         */
        private static DatumReader<?> datumReader(Schema writer, Schema reader) {
            SpecificData data = SpecificData.getForSchema(reader);
            try {
                return data.isFastReaderEnabled() ? data.getFastReaderBuilder().createDatumReader(writer, reader)
                        : new SpecificDatumReader<>(writer, reader, data);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot resolve " + writer.getFullName() + " to " + reader, e);
            }
        }

        /** The record whose Avro binary starts at {@code offset} and fills the rest of {@code bytes}. */
        @SuppressWarnings("unchecked")
        public <T> T read(byte[] bytes, int offset) throws IOException {
            return SingleObjectEncoding.readBody(bytes, offset, (DatumReader<T>) datumReader, reader.getName());
        }
    }

    private final Map<Long, Resolution> byFingerprint = new HashMap<>();

    private WriterSchemas(List<Schema> readers) {
        for (Schema reader : readers) {
            // The current schema is the last published version; added as well so a record type without a history
            // (a test's, say) still reads its own records.
            Stream.concat(SchemaHistory.versions(reader).stream(), Stream.of(reader)).forEach(writer -> {
                byFingerprint.putIfAbsent(SchemaNormalization.parsingFingerprint64(writer),
                        new Resolution(writer, reader));
            });
        }
    }

    /** Accepts every published version of each of {@code readers}. */
    public static WriterSchemas of(Schema... readers) {
        return new WriterSchemas(List.of(readers));
    }

    /**
     * The writer with this fingerprint and the reader it resolves to (the reader of the same full name, as Avro's
     * resolution matches named types), if it is a version of one of the readers. Avro resolved each pair when this
     * was built; whether a record of it reads is for that resolution to say.
     */
    public Optional<Resolution> resolve(long fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }
}
