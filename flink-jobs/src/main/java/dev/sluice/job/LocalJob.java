package dev.sluice.job;

import dev.sluice.config.MetricsSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import java.security.PublicKey;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Sluice's jobs, each on a Flink MiniCluster of its own in this JVM, with a slot per subtask, and Flink's
 * Prometheus reporter where {@code metrics.prometheus-port} asks for it.
 */
public final class LocalJob {

    /** The reporter's name: its options are {@code metrics.reporter.prom.*}. */
    private static final String PROMETHEUS_REPORTER = "prom";
    private static final String PROMETHEUS_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private LocalJob() {}

    /** Starts the pipeline as configured. */
    public static JobClient start(SluiceConfig config, Catalog catalog) throws Exception {
        return start(config, catalog, null, null, UnaryOperator.identity());
    }

    /**
     * Starts the pipeline, following catalog documents signed for {@code catalogKey} (null: the catalog topic off),
     * restored from {@code savepoint} when not null, with {@code tap} between the source and decoding (for fault
     * injection).
     */
    public static JobClient start(SluiceConfig config, Catalog catalog, PublicKey catalogKey, String savepoint,
            UnaryOperator<DataStream<SourceRecord>> tap) throws Exception {
        Configuration flink = new Configuration();
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        withPrometheusReporter(withBufferDebloat(flink), config.metrics());
        StreamExecutionEnvironment env = localEnvironment(config.job().parallelism(), flink);
        InferencePipeline pipeline = new InferencePipeline(config, catalog, catalogKey);
        pipeline.configure(env);
        pipeline.attach(tap.apply(pipeline.source(env)));
        return env.executeAsync(InferencePipeline.JOB_NAME);
    }

    /** Starts the {@code metrics-summary} job, with {@code summary.parallelism} slots. */
    public static JobClient startSummary(SluiceConfig config) throws Exception {
        return summary(config, false).executeAsync(MetricsSummaryJob.JOB_NAME);
    }

    /** Runs the {@code metrics-summary} job over the metrics committed now, and returns when it has finished. */
    public static void summariseToLatest(SluiceConfig config) throws Exception {
        summary(config, true).execute(MetricsSummaryJob.JOB_NAME);
    }

    private static StreamExecutionEnvironment summary(SluiceConfig config, boolean toLatest) {
        StreamExecutionEnvironment env = localEnvironment(config.summary().parallelism(), new Configuration());
        MetricsSummaryJob job = new MetricsSummaryJob(config);
        job.configure(env);
        job.attach(toLatest ? job.sourceToLatest(env) : job.source(env));
        return env;
    }

    private static StreamExecutionEnvironment localEnvironment(int parallelism, Configuration flink) {
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    }

    /**
     * Turns on Flink's buffer debloating, which keeps the requests buffered between the pipeline's operators to
     * about a second's worth. Under backpressure, the usual state while a bulk run fills the servers, a checkpoint's
     * barrier waits behind everything buffered ahead of it, and the job's outputs become readable only when the
     * checkpoint completes; without this, thousands of small requests fit in the buffers. A cluster takes the same
     * key ({@code taskmanager.network.memory.buffer-debloat.enabled}) from its own configuration.
     */
    public static Configuration withBufferDebloat(Configuration flink) {
        flink.set(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED, true);
        return flink;
    }

    /**
     * Adds Flink's Prometheus reporter on {@code metrics.prometheus-port}, unless that is 0, to the configuration
     * of a local Flink; a cluster takes its reporters from its own configuration and ignores these keys.
     */
    public static Configuration withPrometheusReporter(Configuration flink, MetricsSettings metrics) {
        if (metrics.prometheusPort() != 0) {
            Configuration reporter = MetricOptions.forReporter(flink, PROMETHEUS_REPORTER);
            reporter.set(MetricOptions.REPORTER_FACTORY_CLASS, PROMETHEUS_FACTORY);
            reporter.setString("port", String.valueOf(metrics.prometheusPort()));
            // Label values as written: model ids and host:port endpoints, not chat_model and 127_0_0_1:9000.
            reporter.setString("filterLabelValueCharacters", "false");
        }
        return flink;
    }
}
