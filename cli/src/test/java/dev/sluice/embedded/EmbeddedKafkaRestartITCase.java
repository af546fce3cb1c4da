package dev.sluice.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker is stopped and started again on the same log directory while a transactional producer writes to it;
 * the producer rides through the outage with its default settings, and a read_committed consumer then sees every
 * committed record exactly once.
 */
class EmbeddedKafkaRestartITCase {

    private static final String TOPIC = "restart";
    private static final int PARTITIONS = 2;
    private static final int BATCHES = 150;
    private static final int BATCH_SIZE = 20;

    private final Set<String> committed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger committedBatches = new AtomicInteger();
    private final AtomicInteger abortedBatches = new AtomicInteger();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void committedRecordsSurviveABrokerRestartExactlyOnce() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(List.of(TOPIC), PARTITIONS);
            String bootstrap = kafka.bootstrapServers();
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(bootstrap));

            while (committedBatches.get() < 10 && !producing.isDone()) {
                Thread.sleep(10);
            }
            int beforeRestart = committedBatches.get();
            long restartStart = System.nanoTime();
            kafka.restart(Duration.ofSeconds(2));
            long restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartStart);
            producing.get(40, TimeUnit.SECONDS);

            assertThat(beforeRestart).as("the producer was still writing when the broker went down")
                    .isLessThan(BATCHES);
            assertThat(kafka.bootstrapServers()).as("the listener kept its port").isEqualTo(bootstrap);
            assertThat(committedBatches).hasValue(BATCHES);
            List<String> read = readCommitted(bootstrap);
            assertThat(read).as("%d aborted batch(es) were sent again; the restart took %d ms",
                            abortedBatches.get(), restartMillis)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(committed);
        }
    }

    /**
     * What a transactional producer application does: a batch whose transaction fails with an abortable error is
     * aborted and sent again in a new transaction; fatal errors end it.
     */
    private void produce(String bootstrap) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "restart-writer");
        // Default settings suffice: a send waits up to delivery.timeout.ms (2 min) and a commit up to max.block.ms
        // (1 min), far longer than the outage, and reconnects back off to at most reconnect.backoff.max.ms (1 s).
        // The batch in flight at the restart commits some 4-5 s late, without an abort.
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
            producer.initTransactions();
            for (int batch = 0; batch < BATCHES; batch++) {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < BATCH_SIZE; i++) {
                    values.add(batch + "-" + i);
                }
                while (!commit(producer, values)) {
                    abortedBatches.incrementAndGet();
                }
                committed.addAll(values);
                committedBatches.incrementAndGet();
                // Paced so that the restart falls in the middle of the writing.
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean commit(KafkaProducer<String, String> producer, List<String> values) {
        try {
            producer.beginTransaction();
            for (String value : values) {
                producer.send(new ProducerRecord<>(TOPIC, value, value));
            }
            producer.commitTransaction();
            return true;
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            producer.abortTransaction();
            return false;
        }
    }

    private static List<String> readCommitted(String bootstrap) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed these are the last stable offsets: every transaction has ended by now.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
