package dev.sluice.job;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.SummarySettings;
import dev.sluice.config.Topics;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.UsageSummary;
import dev.sluice.summary.LateRecordCounter;
import dev.sluice.summary.ModelRows;
import dev.sluice.summary.ModelTotals;
import dev.sluice.summary.RunTotals;
import dev.sluice.summary.SummaryAccumulator;
import dev.sluice.summary.SummaryAggregate;
import dev.sluice.summary.SummaryRows;
import dev.sluice.summary.SummaryWindowFunction;
import dev.sluice.summary.UsageRows;
import dev.sluice.summary.UsageScopes;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Either;
import org.apache.flink.util.OutputTag;

/**
 * The {@code metrics-summary} job: metrics topic → event-time tumbling windows per (model, endpoint) and per model
 * (endpoint {@code *}) → one {@link MetricsSummary} per key and window on the summary topic; and beside them, in the
 * same windows, per tenant and per bulk run → one {@link UsageSummary} per key and window on the usage topic, a
 * run's rows with its running totals. Both exactly once, in the job's transactions. Metrics later than
 * {@code summary.allowed-lateness} miss their window's row and are reported in a row of their own.
 * A job of its own, beside the inference pipeline, with its own parallelism.
 *
 * <pre>{@code
 * MetricsSummaryJob job = new MetricsSummaryJob(config);
 * job.configure(env);
 * job.attach(job.source(env));
 * env.execute(MetricsSummaryJob.JOB_NAME);
 * }</pre>
 */
public final class MetricsSummaryJob {

    public static final String JOB_NAME = "metrics-summary";

    private static final OutputTag<InferenceMetric> LATE = new OutputTag<>("late-metrics") {};
    private static final OutputTag<InferenceMetric> LATE_USAGE = new OutputTag<>("late-usage-metrics") {};

    private final SluiceConfig config;
    private final SummarySettings settings;
    private final Topics topics;

    public MetricsSummaryJob(SluiceConfig config) {
        this.config = config;
        this.settings = config.summary();
        this.topics = config.kafka().topics();
    }

    /** Applies the summary's parallelism and the job's checkpointing ({@link Checkpointing}). */
    public void configure(StreamExecutionEnvironment env) {
        env.setParallelism(settings.parallelism());
        Checkpointing.configure(env, config.job());
    }

    /**
     * Metrics with event-time timestamps and watermarks, starting where the job's consumer group left off; records
     * that are not metrics are kept on the dead-letters topic.
     */
    public DataStream<InferenceMetric> source(StreamExecutionEnvironment env) {
        return source(env, false);
    }

    /**
     * The same, ending at the metrics committed when the job starts: at the end every window closes, so a finished
     * run (the demo's) is summarised whole.
     */
    public DataStream<InferenceMetric> sourceToLatest(StreamExecutionEnvironment env) {
        return source(env, true);
    }

    /** Unreadable metrics go to the dead-letters topic, and their timestamps to no watermark. */
    private DataStream<InferenceMetric> source(StreamExecutionEnvironment env, boolean toLatest) {
        KafkaSourceBuilder<Either<DeadLetter, InferenceMetric>> builder =
                MetricsSource.builder(config, topics.prefix() + "-" + JOB_NAME, JOB_NAME);
        if (toLatest) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        KafkaSource<Either<DeadLetter, InferenceMetric>> source = builder.build();
        Duration lateness = settings.allowedLateness(); // the supplier is serialized: it must not capture this job
        WatermarkStrategy<Either<DeadLetter, InferenceMetric>> watermarks = WatermarkStrategy
                .<Either<DeadLetter, InferenceMetric>>forGenerator(
                        context -> new ReadableWatermarks<>(new BoundedOutOfOrdernessWatermarks<>(lateness)))
                .withTimestampAssigner((decoded, kafkaTimestamp) ->
                        decoded.isRight() ? decoded.right().getEventTime() : kafkaTimestamp)
                .withIdleness(settings.idleTimeout());
        return DeadLetters.split(env.fromSource(source, watermarks, "metrics").uid("metrics-source"),
                "metrics", config);
    }

    /** Wires the windows, the late-metric counters and the sinks after the source. */
    public void attach(DataStream<InferenceMetric> metrics) {
        DataStream<MetricsSummary> summaries = summarise(
                metrics.flatMap(new ModelTotals()).uid("model-totals").name("per endpoint and per model"),
                metric -> Tuple2.of(metric.getModelId(), metric.getEndpoint()), new ModelRows(),
                new AvroTypeInfo<>(MetricsSummary.class), LATE, "");
        summaries.sinkTo(TransactionalSink.of(config, topics.metricsSummary(), "summary",
                        MetricsSummary::getModelId, MetricsSummary.getClassSchema()))
                .uid("summary-sink").name("metrics summaries");
        DataStream<UsageSummary> usage = summarise(
                metrics.flatMap(new UsageScopes()).uid("usage-scopes").name("per tenant and per run"),
                UsageRows::keyOf, new UsageRows(), new AvroTypeInfo<>(UsageSummary.class), LATE_USAGE, "usage-")
                .keyBy(UsageRows::recordKey, Types.STRING)
                .process(new RunTotals()).uid("run-totals").name("run totals");
        usage.sinkTo(TransactionalSink.of(config, topics.usage(), "usage", UsageRows::recordKey,
                        UsageSummary.getClassSchema()))
                .uid("usage-sink").name("usage summaries");
    }

    /**
     * Event-time windows of {@code metrics} by {@code key}, each closed window one row, with the late metrics of a
     * window counted in rows of their own. The model rows' operators keep the uids they had before usage rows
     * ({@code uidPrefix} empty), so their state restores.
     */
    private <T> DataStream<T> summarise(DataStream<InferenceMetric> metrics,
            KeySelector<InferenceMetric, Tuple2<String, String>> key, SummaryRows<T> rows, TypeInformation<T> type,
            OutputTag<InferenceMetric> lateTag, String uidPrefix) {
        long windowMs = settings.window().toMillis();
        TypeInformation<SummaryAccumulator> accumulator = TypeInformation.of(SummaryAccumulator.class);
        SingleOutputStreamOperator<T> windows = metrics
                .keyBy(key, Types.TUPLE(Types.STRING, Types.STRING))
                .window(TumblingEventTimeWindows.of(settings.window()))
                .sideOutputLateData(lateTag)
                .aggregate(new SummaryAggregate(), new SummaryWindowFunction<>(rows), accumulator, accumulator, type)
                .uid(uidPrefix + "summarise").name("summarise " + uidPrefix + "windows");
        DataStream<T> late = windows.getSideOutput(lateTag)
                .keyBy(metric -> {
                            Tuple2<String, String> of = key.getKey(metric);
                            return Tuple3.of(of.f0, of.f1,
                                    TimeWindow.getWindowStartWithOffset(metric.getEventTime(), 0, windowMs));
                        },
                        Types.TUPLE(Types.STRING, Types.STRING, Types.LONG))
                .process(new LateRecordCounter<>(windowMs, rows), type)
                .uid(uidPrefix + "late-metrics").name("count late " + uidPrefix + "metrics");
        return windows.union(late);
    }
}
