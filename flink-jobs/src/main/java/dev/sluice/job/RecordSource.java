package dev.sluice.job;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where a record of a job's input was read, and its key: what a {@link dev.sluice.schema.DeadLetter} needs to point
 * back at it once the consumer record itself is gone.
 */
record RecordSource(String topic, int partition, long offset, long timestamp, byte[] key) {

    static RecordSource of(ConsumerRecord<byte[], byte[]> record) {
        return new RecordSource(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key());
    }
}
