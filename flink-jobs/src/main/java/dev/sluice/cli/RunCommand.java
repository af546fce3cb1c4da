package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.job.InferencePipeline;
import dev.sluice.job.LocalJob;
import dev.sluice.job.MetricsSummaryJob;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogFileWatcher;
import dev.sluice.routing.CatalogPublisher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice run}: the pipeline against the Kafka and inference servers in the configuration, and beside it the
 * metrics-summary job, each a job of its own with its own parallelism. Run from the command line they execute on a
 * local Flink; submitted with {@code flink run} they execute on that cluster.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the inference pipeline and the metrics-summary job against the Kafka cluster and servers "
                + "named in the configuration.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "configuration file")
    Path config;

    @Option(names = "--watch-catalog", description = "publish the catalog file to the catalog topic whenever it "
            + "changes, so the running job follows it")
    boolean watchCatalog;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = SluiceConfig.load(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalJob.withPrometheusReporter(new Configuration(), settings.metrics()));
        Path catalogFile = settings.catalogPath(config);
        InferencePipeline pipeline = new InferencePipeline(settings, Catalog.load(catalogFile));
        if (watchCatalog) {
            new CatalogFileWatcher(catalogFile, catalog -> CatalogPublisher.publish(settings.kafka(), catalog)).start(2_000);
        }
        pipeline.configure(env);
        pipeline.attach(pipeline.source(env));
        JobClient inference = env.executeAsync(InferencePipeline.JOB_NAME);

        StreamExecutionEnvironment summaryEnv = StreamExecutionEnvironment.getExecutionEnvironment();
        MetricsSummaryJob summary = new MetricsSummaryJob(settings);
        summary.configure(summaryEnv);
        summary.attach(summary.source(summaryEnv));
        JobClient summaries = summaryEnv.executeAsync(MetricsSummaryJob.JOB_NAME);

        inference.getJobExecutionResult().get();
        summaries.getJobExecutionResult().get();
        return 0;
    }
}
