package dev.sluice.cli;

import dev.sluice.config.SluiceConfig;
import dev.sluice.job.InferencePipeline;
import dev.sluice.routing.Catalog;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice run}: the pipeline against the Kafka and inference servers in the configuration. Run from the
 * command line it executes on a local Flink; submitted with {@code flink run} it executes on that cluster.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the inference pipeline against the Kafka cluster and servers named in the configuration.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "configuration file")
    Path config;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = SluiceConfig.load(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        InferencePipeline pipeline = new InferencePipeline(settings, Catalog.load(settings.catalogPath(config)));
        pipeline.configure(env);
        pipeline.attach(pipeline.source(env));
        env.execute(InferencePipeline.JOB_NAME);
        return 0;
    }
}
