package dev.sluice.job;

/**
 * A prompts-topic record as read, before decoding, with its coordinates for rejects.
 *
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 * @param value the record value, possibly null
 */
public record SourceRecord(String topic, int partition, long offset, byte[] value) {}
