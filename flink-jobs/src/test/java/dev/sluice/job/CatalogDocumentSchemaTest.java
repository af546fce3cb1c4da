package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class CatalogDocumentSchemaTest {

    private final List<String> documents = new ArrayList<>();
    private final Collector<String> out = new Collector<>() {
        @Override
        public void collect(String document) {
            documents.add(document);
        }

        @Override
        public void close() {
        }
    };

    @Test
    void aDocumentIsReadAsUtf8() {
        new CatalogDocumentSchema().deserialize(record("models: [] # 日本".getBytes(StandardCharsets.UTF_8)), out);

        assertThat(documents).containsExactly("models: [] # 日本");
    }

    @Test
    void aTombstoneYieldsNothingInsteadOfFailingTheSource() {
        new CatalogDocumentSchema().deserialize(record(null), out);

        assertThat(documents).isEmpty();
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return new ConsumerRecord<>("sluice.catalog", 0, 7, "catalog".getBytes(StandardCharsets.UTF_8), value);
    }
}
