package dev.sluice.job;

import dev.sluice.config.SluiceConfig;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RouteExplanation;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The baseline of the {@code overhead} benchmark: the same Kafka source, decoding, Avro serialisation and
 * exactly-once sink as the pipeline, with nothing in between; each prompt becomes a completion of its own text.
 */
public final class BareKafkaJob {

    private BareKafkaJob() {}

    /** Wires the bare job into {@code env} with the pipeline's own source and sink. */
    public static void attach(StreamExecutionEnvironment env, SluiceConfig config) {
        InferencePipeline pipeline = new InferencePipeline(config, new Catalog(List.of(), null, null));
        pipeline.configure(env);
        pipeline.source(env)
                .flatMap(new Echo(config)).name("decode and echo")
                .sinkTo(pipeline.sink(config.kafka().topics().completions(), "bare-completions",
                        Completion::getRequestId, Completion.getClassSchema())).name("completions");
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
