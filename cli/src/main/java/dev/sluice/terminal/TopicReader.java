package dev.sluice.terminal;

import dev.sluice.config.KafkaSettings;
import dev.sluice.serde.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one of Sluice's topics as a downstream consumer would ({@code read_committed}, no consumer group, so it
 * commits nothing and disturbs nobody), decoding each record whether it was written as Avro or JSON.
 */
public final class TopicReader<T extends SpecificRecordBase> implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordCodec<T> codec;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final boolean skipOthers;

    /** From the first record when {@code fromBeginning}, else from the records written after now. */
    public TopicReader(KafkaSettings kafka, String topic, Schema schema, boolean fromBeginning) {
        this(kafka, topic, schema, fromBeginning, false);
    }

    /**
     * Every record of {@code topic} from the first, skipping those that are not of {@code schema}: for a topic with
     * records of several types, such as the prompts topic (requests and batches).
     */
    public static <T extends SpecificRecordBase> TopicReader<T> ofType(KafkaSettings kafka, String topic,
            Schema schema) {
        return new TopicReader<>(kafka, topic, schema, true, true);
    }

    private TopicReader(KafkaSettings kafka, String topic, Schema schema, boolean fromBeginning,
            boolean skipOthers) {
        this.skipOthers = skipOthers;
        Properties properties = kafka.clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // Sluice's outputs are read in whichever format kafka.output-format wrote them, the registry's included.
        this.codec = new RecordCodec<>(schema, RecordCodec.DEFAULT_MAX_RECORD_BYTES, 0, kafka.registryClientOrNull());
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalArgumentException("topic " + topic + " does not exist at " + kafka.bootstrapServers());
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
    }

    /** Waits up to {@code wait} for records and hands each decoded one to {@code sink}; returns how many. */
    public int poll(Duration wait, Consumer<T> sink) {
        int count = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
            T decoded;
            try {
                decoded = codec.decode(record.value());
            } catch (RuntimeException e) {
                if (skipOthers) {
                    continue;
                }
                throw e;
            }
            sink.accept(decoded);
            count++;
        }
        return count;
    }

    /** Whether every record committed when this was asked has been read. */
    public boolean caughtUp() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    /** Every record committed now, in the order read. */
    public List<T> readToEnd() {
        List<T> records = new ArrayList<>();
        readToEnd(records::add);
        return records;
    }

    /** Hands every record committed now to {@code sink}, in the order read, keeping none. */
    public void readToEnd(Consumer<T> sink) {
        do {
            poll(Duration.ofMillis(200), sink);
        } while (!caughtUp());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
