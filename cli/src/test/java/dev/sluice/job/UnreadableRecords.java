package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.KafkaSettings;
import dev.sluice.schema.DeadLetter;
import dev.sluice.terminal.TopicReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Records a job cannot read, written to one of its inputs, and the check that each is on the dead-letters topic
 * exactly once with its coordinates. For the ITCases of the jobs that read Avro inputs.
 */
public final class UnreadableRecords {

    /** One record as written: where it landed and what it held. */
    public record Sent(String topic, int partition, long offset, byte[] value) {}

    private UnreadableRecords() {}

    /**
     * Writes, over partitions 0 and 1 of {@code topic} (an input of {@code schema} records): noise, an Avro record
     * with the right fingerprint whose first string claims 2 GiB, deeply nested JSON, a tombstone, and 100 KB of
     * text (kept cut), each stamped now by the producer.
     */
    public static List<Sent> send(KafkaSettings kafka, String topic, Schema schema)
            throws ExecutionException, InterruptedException {
        List<byte[]> values = Arrays.asList(
                new byte[] {0x01, (byte) 0x9C, 0x44, 0x00, (byte) 0xFF},
                claimingAHugeString(schema),
                ("{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}").getBytes(StandardCharsets.UTF_8),
                null,
                "x".repeat(100_000).getBytes(StandardCharsets.UTF_8));
        List<Sent> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                byte[] key = ("hostile-" + i).getBytes(StandardCharsets.UTF_8);
                RecordMetadata at = producer.send(new ProducerRecord<>(topic, i % 2, key, values.get(i)))
                        .get();
                sent.add(new Sent(topic, at.partition(), at.offset(), values.get(i)));
            }
        }
        return sent;
    }

    /** The committed dead letters, once {@code count} have arrived and a few more checkpoints have passed. */
    public static List<DeadLetter> awaitDeadLetters(KafkaSettings kafka, int count, Duration timeout) {
        List<DeadLetter> letters = new ArrayList<>();
        try (TopicReader<DeadLetter> reader = new TopicReader<>(kafka, kafka.topics().deadLetters(),
                DeadLetter.getClassSchema(), true)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (letters.size() < count && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200), letters::add);
            }
            // Anything committed twice would show up now.
            long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < quiet) {
                reader.poll(Duration.ofMillis(200), letters::add);
            }
        }
        return letters;
    }

    /** Each of {@code sent} is among {@code letters} exactly once, from {@code job}, with its coordinates. */
    public static void assertKeptOnce(List<DeadLetter> letters, List<Sent> sent, String job) {
        assertThat(letters).extracting(l -> l.getSourceTopic() + "-" + l.getSourcePartition() + "@"
                + l.getSourceOffset()).containsExactlyInAnyOrderElementsOf(
                        sent.stream().map(s -> s.topic() + "-" + s.partition() + "@" + s.offset()).toList());
        for (Sent record : sent) {
            DeadLetter letter = letters.stream().filter(l -> l.getSourcePartition() == record.partition()
                    && l.getSourceOffset() == record.offset()).findFirst().orElseThrow();
            assertThat(letter.getJob()).isEqualTo(job);
            assertThat(letter.getReason()).isNotBlank();
            if (record.value() == null) {
                assertThat(letter.getValue()).isNull();
                assertThat(letter.getReason()).isEqualTo("no value");
            } else {
                assertThat(letter.getValueSize()).isEqualTo(record.value().length);
                int kept = Math.min(record.value().length, DeadLetters.MAX_VALUE_BYTES);
                assertThat(bytes(letter.getValue())).isEqualTo(Arrays.copyOf(record.value(), kept));
            }
        }
    }

    private static byte[] claimingAHugeString(Schema schema) {
        return ByteBuffer.allocate(15).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3).put((byte) 0x01).putLong(SchemaNormalization.parsingFingerprint64(schema))
                // Zig-zag varint of Integer.MAX_VALUE: the length of the record's first field, a string.
                .put(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F})
                .array();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
