package dev.sluice.launch;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.Tenancy;
import dev.sluice.config.TenantTopics;
import dev.sluice.config.Topics;
import dev.sluice.registry.RegistryException;
import dev.sluice.registry.SchemaRegistryClient;
import dev.sluice.schema.Completion;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.UsageSummary;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RunState;
import dev.sluice.serde.RecordCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * With {@code kafka.output-format: registry}, the schema of every output topic the jobs will write, registered (or
 * with auto-register off, looked up) before they start. The sinks would do it on their first record, but a registry
 * that refuses there (a 409 from its compatibility rule, a schema missing with auto-register off, wrong credentials)
 * fails the sink, and the job restores and fails on it again, over and over; here it is one line and no job.
 */
final class OutputSchemas {

    private OutputSchemas() {}

    /**
     * Registers the output schemas of the shared topics and of {@code tenants}' own ({@code tenancy: topic}; other
     * tenants' are registered on their first record); throws with one line on the first the registry refuses.
     */
    static void require(KafkaSettings kafka, Set<String> tenants) {
        if (!kafka.outputFormat().equals("registry")) {
            return;
        }
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.registry().orElseThrow());
        outputs(kafka.topics(), tenants).forEach((topic, schema) -> {
            Schema written = new RecordCodec<>(schema, RecordCodec.DEFAULT_MAX_RECORD_BYTES,
                    kafka.outputSchemaVersion(schema)).writerSchema();
            try {
                registry.idFor(topic, false, written);
            } catch (RegistryException e) {
                throw new IllegalStateException("the schema registry refuses " + schema.getName() + " for topic "
                        + topic + ": " + e.getMessage());
            }
        });
    }

    /** Each output topic and the record written there. */
    private static Map<String, Schema> outputs(Topics topics, Set<String> tenants) {
        Map<String, Schema> outputs = new LinkedHashMap<>();
        outputs.put(topics.metricsSummary(), MetricsSummary.getClassSchema());
        outputs.put(topics.usage(), UsageSummary.getClassSchema());
        outputs.put(topics.deadLetters(), DeadLetter.getClassSchema());
        Set<String> owners = topics.tenancy() == Tenancy.topic ? tenants : Set.of("any");
        for (String tenant : owners) {
            TenantTopics own = topics.of(tenant);
            outputs.put(own.completions(), Completion.getClassSchema());
            outputs.put(own.metrics(), InferenceMetric.getClassSchema());
            outputs.put(own.rejects(), Reject.getClassSchema());
            outputs.put(own.runs(), RunState.getClassSchema());
        }
        return outputs;
    }
}
