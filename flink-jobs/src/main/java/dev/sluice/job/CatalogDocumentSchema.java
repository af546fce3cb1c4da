package dev.sluice.job;

import dev.sluice.routing.CatalogSignature;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Catalog records with their signature header, as they arrived; {@link CatalogCheckFunction} decides what they are
 * worth. A tombstone (null value, which compaction of the catalog topic keeps for a while) yields nothing: the
 * catalog in force stays, instead of the source failing on every restart.
 */
final class CatalogDocumentSchema implements KafkaRecordDeserializationSchema<CatalogRecord> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CatalogRecord> out) {
        if (record.value() != null) {
            Header signature = record.headers().lastHeader(CatalogSignature.HEADER);
            out.collect(new CatalogRecord(record.value(), signature == null ? null : signature.value(),
                    RecordSource.of(record)));
        }
    }

    @Override
    public TypeInformation<CatalogRecord> getProducedType() {
        return TypeInformation.of(CatalogRecord.class);
    }
}
