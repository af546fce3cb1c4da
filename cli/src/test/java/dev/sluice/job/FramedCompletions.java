package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SluiceConfig;
import dev.sluice.serde.RegistryFraming;
import dev.sluice.registry.SchemaRegistryClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads completions in a schema registry's framing as a registry-aware consumer would, knowing only the registry. */
final class FramedCompletions {

    private FramedCompletions() {}

    /** Completions by request id, read committed, each decoded with the schema its id names in the registry. */
    static Map<String, List<GenericRecord>> read(SluiceConfig config,
            SchemaRegistryClient registry, int expected, Duration timeout) throws IOException {
        Properties properties = config.kafka().clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "registry-consumer");
        Map<String, List<GenericRecord>> byId = new HashMap<>();
        Instant end = Instant.now().plus(timeout);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.kafka().topics().completions()));
            while (byId.size() < expected && Instant.now().isBefore(end)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    byte[] value = record.value();
                    assertThat(RegistryFraming.isFramed(value)).as("framed by the registry's id").isTrue();
                    Schema writer = registry.schemaById(RegistryFraming.schemaId(value).orElseThrow());
                    GenericRecord completion = new GenericDatumReader<GenericRecord>(writer).read(null,
                            DecoderFactory.get().binaryDecoder(value, RegistryFraming.HEADER_LENGTH,
                                    value.length - RegistryFraming.HEADER_LENGTH, null));
                    byId.computeIfAbsent(completion.get("request_id").toString(), k -> new ArrayList<>())
                            .add(completion);
                }
            }
            // Anything doubled would arrive with or soon after the rest.
            consumer.poll(Duration.ofSeconds(2)).forEach(record -> {
                throw new AssertionError("a completion beyond the expected ones at offset " + record.offset());
            });
        }
        return byId;
    }

}
