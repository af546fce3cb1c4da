package dev.sluice.launch;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TopicSpecs;
import dev.sluice.job.InferencePipeline;
import dev.sluice.job.LocalJob;
import dev.sluice.job.MetricsSummaryJob;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogFileWatcher;
import dev.sluice.routing.CatalogKeys;
import dev.sluice.routing.CatalogPublisher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice run}: the pipeline against the Kafka and inference servers in the configuration, and beside it the
 * metrics-summary job, each a job of its own with its own parallelism. Run from the command line they execute on a
 * local Flink; submitted with {@code flink run} they execute on that cluster. {@code --job} runs one of them, for a
 * deployment that runs one job per application (the Kubernetes operator's, in {@code deploy/kubernetes/}).
 * {@code -D} passes Flink options to the jobs, as Flink's own client does: on a local Flink, which reads no Flink
 * configuration file, it is how checkpoints reach a directory and how a run resumes from one of them.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the inference pipeline and the metrics-summary job against the Kafka cluster and servers "
                + "named in the configuration.")
public final class RunCommand implements Callable<Integer> {

    /** Which of Sluice's jobs a run starts; lower case, as picocli matches the constants' names. */
    enum Jobs { pipeline, summary, both }

    @Option(names = "--config", required = true, description = "configuration file; SLUICE_* environment variables "
            + "override its keys")
    Path config;

    @Option(names = "--job", defaultValue = "both",
            description = "which job to run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Jobs jobs;

    @Option(names = "--watch-catalog", description = "publish the catalog file to the catalog topic whenever it "
            + "changes, signed with --catalog-key, so the running job follows it")
    boolean watchCatalog;

    @Option(names = "--catalog-key", description = "with --watch-catalog: the private key that signs what it "
            + "publishes (PKCS#8 PEM, from 'catalog keygen'); pairs with control-plane.public-key")
    Path catalogKey;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "a Flink option for the jobs started, e.g. "
            + "-D execution.checkpointing.dir=file:///var/sluice/checkpoints, or with --job, "
            + "-D execution.state-recovery.path=DIR to resume from a retained checkpoint or a savepoint")
    Map<String, String> flinkOptions = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<JobClient> started = start(System.getenv());
        if (submittedDetached()) {
            // flink run -d (or an application cluster): the jobs are the cluster's now, and this client may go.
            return 0;
        }
        // On a local Flink this process is the cluster: it must live as long as the jobs.
        for (JobClient job : started) {
            job.getJobExecutionResult().get();
        }
        return 0;
    }

    private static boolean submittedDetached() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        return !(env instanceof LocalStreamEnvironment) && !env.getConfiguration().get(DeploymentOptions.ATTACHED);
    }

    /** Submits the jobs asked for, configured from the file and {@code environment}, and returns without waiting. */
    public List<JobClient> start(Map<String, String> environment) throws Exception {
        if (jobs == Jobs.both && flinkOptions().contains(StateRecoveryOptions.SAVEPOINT_PATH)) {
            throw new ParameterException(spec.commandLine(), "a state recovery path holds one job's state: "
                    + "give --job pipeline or --job summary");
        }
        SluiceConfig settings = SluiceConfig.load(config, environment);
        if (watchCatalog != (catalogKey != null)) {
            throw new ParameterException(spec.commandLine(), "--watch-catalog and --catalog-key go together: "
                    + "what the watcher publishes must be signed");
        }
        requireTopics(settings);
        List<JobClient> started = new ArrayList<>();
        if (jobs != Jobs.summary) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                    LocalJob.withPrometheusReporter(LocalJob.withBufferDebloat(flinkOptions()), settings.metrics()));
            Path catalogFile = settings.catalogPath(config);
            InferencePipeline pipeline = new InferencePipeline(settings, Catalog.load(catalogFile),
                    settings.catalogPublicKeyPath(config).map(CatalogKeys::readPublic).orElse(null));
            if (watchCatalog) {
                new CatalogFileWatcher(catalogFile, CatalogPublisher.forJob(settings, config, catalogKey)::publish)
                        .start(2_000);
            }
            pipeline.configure(env);
            pipeline.attach(pipeline.source(env));
            started.add(env.executeAsync(InferencePipeline.JOB_NAME));
        }
        if (jobs != Jobs.pipeline) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkOptions());
            MetricsSummaryJob summary = new MetricsSummaryJob(settings);
            summary.configure(env);
            summary.attach(summary.source(env));
            started.add(env.executeAsync(MetricsSummaryJob.JOB_NAME));
        }
        return started;
    }

    /**
     * Refuses to start, with one line, unless every topic the jobs use is there as specified: a missing one would
     * otherwise fail the jobs over and over. With {@code kafka.tenancy: topic} the tenants checked are those with any
     * topic on the cluster, each in full, and not every tenant the catalog names: the jobs find tenants' prompts by
     * pattern, so a tenant whose topics are not made yet only has no traffic and must not keep the others from
     * being served; but one whose prompts topic exists without its outputs would fail every transaction.
     */
    private void requireTopics(SluiceConfig settings) {
        TopicSpecs specs = TopicSpecs.of(settings);
        TopicReport report;
        Set<String> tenants;
        try (TopicAudit audit = new TopicAudit(settings.kafka())) {
            tenants = audit.tenantsWithTopics(specs.topics());
            report = new TopicReport(audit.inspect(specs.all(tenants)));
        }
        if (report.exitCode() != TopicReport.OK) {
            throw new IllegalStateException(report.oneLine(config));
        }
        OutputSchemas.require(settings.kafka(), tenants);
    }

    /** A fresh configuration of the {@code -D} options, for one job. */
    private Configuration flinkOptions() {
        return Configuration.fromMap(flinkOptions);
    }
}
