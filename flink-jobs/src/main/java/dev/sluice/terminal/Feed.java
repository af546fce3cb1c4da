package dev.sluice.terminal;

import dev.sluice.config.Topics;
import dev.sluice.schema.Completion;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.Reject;
import java.util.Locale;
import java.util.function.Function;
import org.apache.avro.Schema;

/** The topics {@code sluice tail} follows, with the record each carries. */
enum Feed {
    COMPLETIONS(Topics::completions, Completion.getClassSchema()),
    METRICS(Topics::metrics, InferenceMetric.getClassSchema()),
    SUMMARY(Topics::metricsSummary, MetricsSummary.getClassSchema()),
    REJECTS(Topics::rejects, Reject.getClassSchema());

    private final Function<Topics, String> topic;
    private final Schema schema;

    Feed(Function<Topics, String> topic, Schema schema) {
        this.topic = topic;
        this.schema = schema;
    }

    String topic(Topics topics) {
        return topic.apply(topics);
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
