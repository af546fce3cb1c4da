package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schema.PromptRequest;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Tests for {@link SubjectNameStrategy}. */
class SubjectNameStrategyTest {

    private static final Schema PROMPT = PromptRequest.getClassSchema();

    @Test
    void subjectsAreNamedAsConfluentsStrategiesNameThem() {
        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("sluice.prompts", false, PROMPT))
                .isEqualTo("sluice.prompts-value");
        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("sluice.prompts", true, PROMPT))
                .isEqualTo("sluice.prompts-key");
        assertThat(SubjectNameStrategy.RECORD_NAME.subject("sluice.prompts", false, PROMPT))
                .isEqualTo("dev.sluice.schema.PromptRequest");
        assertThat(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("sluice.prompts", false, PROMPT))
                .isEqualTo("sluice.prompts-dev.sluice.schema.PromptRequest");
    }

    @Test
    void recordStrategiesRefuseASchemaWithoutARecordName() {
        Schema string = Schema.create(Schema.Type.STRING);

        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("t", false, string)).isEqualTo("t-value");
        assertThatThrownBy(() -> SubjectNameStrategy.RECORD_NAME.subject("t", false, string))
                .hasMessage("RecordNameStrategy needs a record schema, not STRING");
        assertThatThrownBy(() -> SubjectNameStrategy.TOPIC_RECORD_NAME.subject("t", false, string))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesSluiceNamesAndConfluentClassNames() {
        assertThat(SubjectNameStrategy.parse("topic")).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(SubjectNameStrategy.parse(" record ")).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(SubjectNameStrategy.parse("topic-record")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(SubjectNameStrategy.parse("TopicNameStrategy")).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(SubjectNameStrategy.parse("RecordNameStrategy")).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(SubjectNameStrategy.parse("io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"))
                .isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
    }

    @Test
    void anUnknownNameIsRefusedWithTheNamesThatWork() {
        assertThatThrownBy(() -> SubjectNameStrategy.parse("Topic"))
                .hasMessage("unknown subject name strategy 'Topic': use one of [topic, TopicNameStrategy, record,"
                        + " RecordNameStrategy, topic-record, TopicRecordNameStrategy]");
        assertThatThrownBy(() -> SubjectNameStrategy.parse("a.topic")).isInstanceOf(IllegalArgumentException.class);
    }
}
