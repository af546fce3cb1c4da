package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.routing.CatalogSignature;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Tests for {@link CatalogDocumentSchema}. */
class CatalogDocumentSchemaTest {

    private final List<CatalogRecord> records = new ArrayList<>();
    private final Collector<CatalogRecord> out = new Collector<>() {
        @Override
        public void collect(CatalogRecord record) {
            records.add(record);
        }

        @Override
        public void close() {
        }
    };

    @Test
    void aDocumentTravelsAsItsExactBytesWithItsSignatureHeader() {
        byte[] document = "models: [] # 日本".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> record = record(document);
        record.headers().add(CatalogSignature.HEADER, "first".getBytes(StandardCharsets.US_ASCII));
        record.headers().add(CatalogSignature.HEADER, "second".getBytes(StandardCharsets.US_ASCII));

        new CatalogDocumentSchema().deserialize(record, out);

        assertThat(records).singleElement().satisfies(read -> {
            assertThat(read.document()).isEqualTo(document);
            // The last header wins, as Kafka's own lastHeader: one signature is checked, never a choice of several.
            assertThat(read.signature()).asString(StandardCharsets.US_ASCII).isEqualTo("second");
            assertThat(read.source().offset()).isEqualTo(7);
        });
    }

    @Test
    void anUnsignedDocumentTravelsWithoutASignature() {
        new CatalogDocumentSchema().deserialize(record("models: []".getBytes(StandardCharsets.UTF_8)), out);

        assertThat(records).singleElement().satisfies(read -> assertThat(read.signature()).isNull());
    }

    @Test
    void aTombstoneYieldsNothingInsteadOfFailingTheSource() {
        new CatalogDocumentSchema().deserialize(record(null), out);

        assertThat(records).isEmpty();
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return new ConsumerRecord<>("sluice.catalog", 0, 7, "catalog".getBytes(StandardCharsets.UTF_8), value);
    }
}
