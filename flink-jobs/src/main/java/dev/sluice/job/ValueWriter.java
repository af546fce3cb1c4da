package dev.sluice.job;

import dev.sluice.config.KafkaSettings;
import dev.sluice.serde.RecordCodec;
import java.io.Serializable;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/** Writes an output record's value for the topic it goes to, in the format {@code kafka.output-format} names. */
@FunctionalInterface
interface ValueWriter<T> extends Serializable {

    byte[] write(String topic, T record);

    /** {@code kafka.output-format}'s writer for records of {@code schema}, in its pinned schema version if any. */
    static <T extends SpecificRecordBase> ValueWriter<T> of(KafkaSettings kafka, Schema schema) {
        RecordCodec<T> codec = new RecordCodec<>(schema, RecordCodec.DEFAULT_MAX_RECORD_BYTES,
                kafka.outputSchemaVersion(schema));
        boolean json = kafka.outputFormat().equals("json");
        return (topic, record) -> codec.encode(record, json);
    }
}
