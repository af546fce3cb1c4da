package dev.sluice.job;

import dev.sluice.config.SluiceConfig;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RouteExplanation;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The baselines of the {@code overhead} benchmark: the same Kafka source, decoding, Avro serialisation and
 * exactly-once sink as the pipeline, with nothing in between; each prompt becomes a completion of its own text. The
 * second baseline also writes a metric for each prompt through a second exactly-once sink, as the pipeline must:
 * the Kafka work that no pipeline writing both outputs can do without.
 */
public final class BareKafkaJob {

    private BareKafkaJob() {}

    /** Wires the bare job into {@code env} with the pipeline's own source and sink. */
    public static void attach(StreamExecutionEnvironment env, SluiceConfig config) {
        completions(env, config, pipeline(config));
    }

    /** As {@link #attach}, also writing each prompt's metric to the metrics topic, exactly once. */
    public static void attachWithMetrics(StreamExecutionEnvironment env, SluiceConfig config) {
        InferencePipeline pipeline = pipeline(config);
        completions(env, config, pipeline).map(BareKafkaJob::metricOf).name("metric of each completion")
                .sinkTo(pipeline.sink(config.kafka().topics().metrics(), "bare-metrics",
                        InferenceMetric::getRequestId, InferenceMetric.getClassSchema())).name("metrics");
    }

    /** The pipeline with an empty catalog: only its source, sinks and settings are used. */
    private static InferencePipeline pipeline(SluiceConfig config) {
        return new InferencePipeline(config, new Catalog(List.of(), null, null));
    }

    private static DataStream<Completion> completions(StreamExecutionEnvironment env, SluiceConfig config,
            InferencePipeline pipeline) {
        pipeline.configure(env);
        DataStream<Completion> completions = pipeline.source(env).flatMap(new Echo(config)).name("decode and echo");
        completions.sinkTo(pipeline.sink(config.kafka().topics().completions(), "bare-completions",
                Completion::getRequestId, Completion.getClassSchema())).name("completions");
        return completions;
    }

    private static InferenceMetric metricOf(Completion completion) {
        return InferenceMetric.newBuilder()
                .setRequestId(completion.getRequestId()).setTenant(completion.getTenant())
                .setModelId(completion.getModelId()).setBackend(completion.getBackend())
                .setEndpoint(completion.getEndpoint()).setPriority(Priority.INTERACTIVE).setQueueMs(0)
                .setTimeToFirstTokenMs(0).setEndToEndMs(0).setPromptTokens(0).setCompletionTokens(0)
                .setOutputTokensPerSecond(0).setBatchSize(1).setOutcome("completed").setEventTime(0).build();
    }

    private static final class Echo implements FlatMapFunction<SourceRecord, Completion> {
        private final SluiceConfig config;
        private transient PromptDecoder decoder;

        Echo(SluiceConfig config) {
            this.config = config;
        }

        @Override
        public void flatMap(SourceRecord record, Collector<Completion> out) {
            if (decoder == null) {
                decoder = new PromptDecoder(config.limits().toIntakeLimits());
            }
            for (PromptRequest request : decoder.decode(record.value()).requests()) {
                out.collect(Completion.newBuilder()
                        .setRequestId(request.getRequestId()).setTenant(request.getTenant()).setModelId("echo")
                        .setBackend("none").setEndpoint("none").setText(String.valueOf(request.getPrompt()))
                        .setFinishReason("stop").setPromptTokens(0).setCompletionTokens(0)
                        .setTimings(new CompletionTimings(0L, 0L, 0L, 0L))
                        .setRoute(new RouteExplanation("bare job", List.of())).build());
            }
        }
    }
}
