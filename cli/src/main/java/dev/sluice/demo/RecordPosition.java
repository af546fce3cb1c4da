package dev.sluice.demo;

import java.util.Objects;

/**
 * Where a published record landed: what a reject of the whole record (one whose request id could not be read)
 * points back at.
 *
 * @param topic the topic it was published to
 * @param partition its partition
 * @param offset its offset in that partition
 */
public record RecordPosition(String topic, int partition, long offset) {

    public RecordPosition {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String toString() {
        return topic + " partition " + partition + " offset " + offset;
    }
}
