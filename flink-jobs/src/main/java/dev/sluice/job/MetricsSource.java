package dev.sluice.job;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Topics;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.InferenceMetric;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * A source of the pipeline's metrics, as the jobs that read them back need it: the metrics topic (every tenant's, in
 * {@code tenancy: topic}), committed records only, from where {@code groupId} left off or else the earliest;
 * records that are not metrics come out on the left.
 */
final class MetricsSource {

    private MetricsSource() {}

    static KafkaSourceBuilder<Either<DeadLetter, InferenceMetric>> builder(SluiceConfig config, String groupId,
            String jobName) {
        Topics topics = config.kafka().topics();
        return InferencePipeline.subscribed(KafkaSource.<Either<DeadLetter, InferenceMetric>>builder(), topics,
                        topics.metrics(), topics.tenantMetrics())
                .setBootstrapServers(config.kafka().bootstrapServers())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new AvroRecordDeserializer<>(InferenceMetric.class, InferenceMetric.getClassSchema(),
                        jobName, config.kafka().registryClientOrNull()))
                .setProperties(config.kafka().clientProperties())
                .setProperty("isolation.level", "read_committed");
    }
}
