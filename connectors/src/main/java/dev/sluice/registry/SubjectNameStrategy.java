package dev.sluice.registry;

import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Which registry subject a topic's schema is registered under, as Confluent's serializers name it
 * ({@code key.subject.name.strategy}, {@code value.subject.name.strategy}). The subject is what a registry checks
 * compatibility within: one evolving schema per topic, per record type, or per record type within a topic.
 */
public enum SubjectNameStrategy {

    /** {@code <topic>-value} or {@code <topic>-key}: Confluent's default, one schema per topic. */
    TOPIC_NAME("topic", "TopicNameStrategy"),
    /** The record's full name, e.g. {@code dev.sluice.schema.PromptRequest}: one schema per type, across topics. */
    RECORD_NAME("record", "RecordNameStrategy"),
    /** {@code <topic>-<full name>}: several record types in one topic, each evolving on its own. */
    TOPIC_RECORD_NAME("topic-record", "TopicRecordNameStrategy");

    private final String sluiceName;
    private final String confluentName;

    SubjectNameStrategy(String sluiceName, String confluentName) {
        this.sluiceName = sluiceName;
        this.confluentName = confluentName;
    }

    /**
     * The strategy a configuration names: Sluice's {@code topic}, {@code record} or {@code topic-record}, or
     * Confluent's class, by simple name ({@code TopicNameStrategy}) or fully qualified
     * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}), since Kafka users copy the latter from
     * their serializer settings.
     */
    public static SubjectNameStrategy parse(String name) {
        String trimmed = name.strip();
        String simpleName = trimmed.substring(trimmed.lastIndexOf('.') + 1);
        for (SubjectNameStrategy strategy : values()) {
            if (strategy.sluiceName.equals(trimmed) || strategy.confluentName.equals(simpleName)) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("unknown subject name strategy '" + name + "': use one of " + names());
    }

    private static List<String> names() {
        return Arrays.stream(values()).flatMap(s -> List.of(s.sluiceName, s.confluentName).stream()).toList();
    }

    /**
     * The subject for records of {@code schema} written to {@code topic}, as key or value.
     *
     * @throws IllegalArgumentException when a strategy that names the record is given a schema that is not a record
     */
    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
            case RECORD_NAME -> recordName(schema);
            case TOPIC_RECORD_NAME -> topic + "-" + recordName(schema);
        };
    }

    /** Confluent's record strategies refuse other types too: a bare string or array has no name to register by. */
    private String recordName(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(confluentName + " needs a record schema, not " + schema.getType());
        }
        return schema.getFullName();
    }
}
