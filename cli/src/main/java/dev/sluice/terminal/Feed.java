package dev.sluice.terminal;

import dev.sluice.config.Tenancy;
import dev.sluice.config.TenantTopics;
import dev.sluice.config.Topics;
import dev.sluice.schema.Completion;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.Reject;
import java.util.Locale;
import java.util.function.Function;
import org.apache.avro.Schema;

/**
 * The topics {@code sluice tail} follows, with the record each carries: a tenant's own (in {@code tenancy: topic}
 * each tenant has its own), or the operators' summary of every model.
 */
enum Feed {
    COMPLETIONS(TenantTopics::completions, Completion.getClassSchema()),
    METRICS(TenantTopics::metrics, InferenceMetric.getClassSchema()),
    SUMMARY(null, MetricsSummary.getClassSchema()),
    REJECTS(TenantTopics::rejects, Reject.getClassSchema());

    /** The feed's topic among a tenant's; null for the summary, which is no tenant's. */
    private final Function<TenantTopics, String> topic;
    private final Schema schema;

    Feed(Function<TenantTopics, String> topic, Schema schema) {
        this.topic = topic;
        this.schema = schema;
    }

    /** The topic to follow; {@code tenant} may be null where topics are shared ({@code tenancy: record}). */
    String topic(Topics topics, String tenant) {
        if (topic == null) {
            return topics.metricsSummary();
        }
        if (tenant == null && topics.tenancy() == Tenancy.topic) {
            throw new IllegalArgumentException("with tenancy: topic each tenant has its own " + name().toLowerCase(
                    Locale.ROOT) + " topic: name the tenant with --tenant");
        }
        return topic.apply(topics.of(tenant));
    }

    Schema schema() {
        return schema;
    }

    static Feed named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tail follows completions, metrics, summary or rejects, not " + name);
        }
    }
}
