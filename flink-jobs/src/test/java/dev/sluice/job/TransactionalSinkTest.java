package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.JobSettings;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.Completion;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SinkTransformation;
import org.junit.jupiter.api.Test;

/** Tests for {@link TransactionalSink}. */
class TransactionalSinkTest {

    @Test
    void deploymentsOnOneTopicPrefixWriteUnderTheirOwnTransactionalIds() {
        assertThat(TransactionalSink.transactionalIdPrefix(config("blue"), "completions"))
                .isEqualTo("sluice-blue.completions")
                .as("a restart of the same deployment").isEqualTo(
                        TransactionalSink.transactionalIdPrefix(config("blue"), "completions"))
                .isNotEqualTo(TransactionalSink.transactionalIdPrefix(config("green"), "completions"));
        // Neither deployment's ids begin with the other's, whatever the names: the instance id ends at the dot.
        assertThat(TransactionalSink.transactionalIdPrefix(config("blue-dead-letters"), "metrics"))
                .isNotEqualTo(TransactionalSink.transactionalIdPrefix(config("blue"), "dead-letters-metrics"));
    }

    @Test
    void sendsWaitForAGoneBrokerAsLongAsACheckpointMayTake() {
        Properties defaults = new Properties();
        TransactionalSink.waitForTheBroker(defaults, Duration.ofMinutes(5));
        assertThat(defaults).containsEntry("max.block.ms", "300000").containsEntry("delivery.timeout.ms", "300000");

        Properties shortCheckpoints = new Properties();
        TransactionalSink.waitForTheBroker(shortCheckpoints, Duration.ofSeconds(10));
        assertThat(shortCheckpoints).as("Kafka's defaults, where longer")
                .containsEntry("max.block.ms", "60000").containsEntry("delivery.timeout.ms", "120000");

        Properties operatorSet = new Properties();
        operatorSet.setProperty("max.block.ms", "1000");
        TransactionalSink.waitForTheBroker(operatorSet, Duration.ofMinutes(5));
        assertThat(operatorSet).as("kafka.properties wins").containsEntry("max.block.ms", "1000")
                .containsEntry("delivery.timeout.ms", "300000");
    }

    @Test
    void noSinkIsBuiltWithoutAnInstanceId() {
        assertThatThrownBy(() -> TransactionalSink.of(config(null), "sluice.completions", "completions",
                        Completion::getRequestId, Completion.getClassSchema()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job.instance-id is not set")
                .hasMessageContaining("topic prefix 'sluice'");
    }

    @Test
    void everySinkOfBothJobsWritesUnderTheInstanceId() {
        SluiceConfig config = config("blue");
        StreamExecutionEnvironment pipelineEnv = StreamExecutionEnvironment.getExecutionEnvironment();
        InferencePipeline pipeline = new InferencePipeline(config,
                Catalog.parse(TestCatalog.DOCUMENT, "test catalog"));
        pipeline.attach(pipeline.source(pipelineEnv));
        StreamExecutionEnvironment summaryEnv = StreamExecutionEnvironment.getExecutionEnvironment();
        MetricsSummaryJob summary = new MetricsSummaryJob(config);
        summary.attach(summary.source(summaryEnv));

        assertThat(prefixes(pipelineEnv)).containsExactlyInAnyOrder("sluice-blue.completions", "sluice-blue.metrics",
                "sluice-blue.rejects", "sluice-blue.runs", "sluice-blue.dead-letters-catalog",
                "sluice-blue.dead-letters-run-commands");
        assertThat(prefixes(summaryEnv)).containsExactlyInAnyOrder("sluice-blue.summary", "sluice-blue.usage",
                "sluice-blue.dead-letters-metrics");
    }

    /** The transactional id prefix of every Kafka sink in {@code env}'s graph. */
    private static List<String> prefixes(StreamExecutionEnvironment env) {
        return env.getTransformations().stream()
                .filter(SinkTransformation.class::isInstance)
                .map(sink -> ((SinkTransformation<?, ?>) sink).getSink())
                .map(TransactionalSinkTest::transactionalIdPrefix)
                .toList();
    }

    /** KafkaSink keeps its prefix to itself; read it as its writers do. */
    private static String transactionalIdPrefix(Object sink) {
        try {
            Field prefix = KafkaSink.class.getDeclaredField("transactionalIdPrefix");
            prefix.setAccessible(true);
            return (String) prefix.get(sink);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("not a KafkaSink of connector 5.x: " + sink, e);
        }
    }

    private static SluiceConfig config(String instanceId) {
        return new SluiceConfig(new KafkaSettings("broker:9092", "sluice", "avro", null, Map.of()),
                new JobSettings(2, Duration.ofSeconds(2), 64, Duration.ofSeconds(60), instanceId), null, null, null);
    }
}
