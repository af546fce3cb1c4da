package dev.sluice.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Writes records of the current schema as Avro binary in one of its published versions ({@link SchemaHistory}), for
 * consumers that read with an earlier schema and cannot resolve a writer they have never seen (a single-object
 * reader without a schema store, or one pinned to a registry version). The record is resolved from the current
 * schema to the earlier one, as that consumer's reader would: fields added since are left out and the earlier
 * version's defaults fill what it has and the current one lacks.
 */
final class VersionedWriter<T extends SpecificRecordBase> {

    private final Schema current;
    private final Schema written;
    private final boolean resolves;

    /** Writes {@code version} of {@code current}'s schema; 0 means the current schema itself. */
    VersionedWriter(Schema current, int version) {
        this.current = current;
        this.written = version == 0 ? current : SchemaHistory.version(current, version);
        this.resolves = !written.equals(current);
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(written, current);
        if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
            throw new IllegalArgumentException(current.getName() + " version " + version + " cannot hold every "
                    + current.getName() + " Sluice writes now: " + compatibility.getResult().getIncompatibilities()
                            .stream().map(problem -> problem.getMessage() + " at " + problem.getLocation())
                            .collect(Collectors.joining("; ")));
        }
    }

    /** The schema records are written with. */
    Schema schema() {
        return written;
    }

    /** {@code record} as Avro binary in {@link #schema()}. */
    byte[] body(T record) {
        byte[] whole = write(new SpecificDatumWriter<>(current), record);
        if (!resolves) {
            return whole;
        }
        try {
            GenericRecord earlier = new GenericDatumReader<GenericRecord>(current, written, GenericData.get())
                    .read(null, DecoderFactory.get().binaryDecoder(whole, null));
            return write(new GenericDatumWriter<>(written, GenericData.get()), earlier);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + current.getName() + " as an earlier version", e);
        }
    }

    private static <R> byte[] write(DatumWriter<R> writer, R record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + record.getClass().getSimpleName(), e);
        }
        return out.toByteArray();
    }
}
