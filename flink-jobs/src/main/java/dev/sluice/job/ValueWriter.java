package dev.sluice.job;

import dev.sluice.config.KafkaSettings;
import dev.sluice.serde.RegistryFraming;
import dev.sluice.registry.SchemaRegistryClient;
import dev.sluice.serde.RecordCodec;
import java.io.Serializable;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/** Writes an output record's value for the topic it goes to, in the format {@code kafka.output-format} names. */
@FunctionalInterface
interface ValueWriter<T> extends Serializable {

    byte[] write(String topic, T record);

    /**
     * {@code kafka.output-format}'s writer for records of {@code schema}, in its pinned schema version if any. In the
     * registry's framing the schema is registered (or looked up) under the topic's subject on its first record
     * there, then framed with the id from the client's cache; a registry that fails then fails the write, and the
     * job recovers as from any sink failure, from its last checkpoint.
     */
    static <T extends SpecificRecordBase> ValueWriter<T> of(KafkaSettings kafka, Schema schema) {
        RecordCodec<T> codec = new RecordCodec<>(schema, RecordCodec.DEFAULT_MAX_RECORD_BYTES,
                kafka.outputSchemaVersion(schema));
        return switch (kafka.outputFormat()) {
            case "json" -> (topic, record) -> codec.encode(record, true);
            case "registry" -> {
                SchemaRegistryClient registry = new SchemaRegistryClient(kafka.registry().orElseThrow());
                yield (topic, record) -> RegistryFraming.frame(registry.idFor(topic, false, codec.writerSchema()),
                        codec.encodeBody(record));
            }
            default -> (topic, record) -> codec.encode(record, false);
        };
    }
}
