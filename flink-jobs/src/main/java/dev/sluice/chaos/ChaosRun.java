package dev.sluice.chaos;

import dev.sluice.config.SluiceConfig;
import dev.sluice.job.LocalJob;
import dev.sluice.job.SourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * One scenario on a Flink MiniCluster in this JVM: the pipeline starts, and its {@link SteadyLoad} runs with the
 * scenario's fault.
 */
final class ChaosRun {

    private final ChaosStack stack;
    private final ChaosScenario scenario;
    private final int prompts;
    private final double perSecond;
    private final String name;
    private SluiceConfig config;
    private JobClient job;
    private SteadyLoad load;

    ChaosRun(ChaosStack stack, ChaosScenario scenario, int prompts, double perSecond, String name) {
        this.stack = stack;
        this.scenario = scenario;
        this.prompts = prompts;
        this.perSecond = perSecond;
        this.name = name;
    }

    ChaosStack stack() {
        return stack;
    }

    ChaosReport run() throws Exception {
        config = stack.config(name, scenario.initialParallelism());
        load = new SteadyLoad(config, name, prompts, perSecond);
        job = LocalJob.start(config, stack.catalog, stack.operator.getPublic(), null, faultTap());
        try {
            return load.run(scenario.label(), () -> scenario.inject(this));
        } finally {
            job.cancel().get();
            ChaosScenario.clear(stack.servers);
        }
    }

    private UnaryOperator<DataStream<SourceRecord>> faultTap() {
        return records -> records.map(new FailOnTrigger(marker())).uid("chaos-fault").name("fault injection");
    }

    private String marker() {
        return "fail-here-" + name;
    }

    /** Publishes a prompt that fails the task reading it, once, and returns when it has. */
    void failATask() throws InterruptedException {
        load.offer(name + "-trigger", "Summarise this: " + marker());
        long deadline = System.nanoTime() + SteadyLoad.PATIENCE.toNanos();
        while (!FailOnTrigger.fired(marker())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the failure trigger never reached the job");
            }
            Thread.sleep(10);
        }
    }

    /** Stops the job with a savepoint and starts it again from there with {@code parallelism} subtasks. */
    void restartFromSavepoint(int parallelism) throws Exception {
        Path savepoints = Files.createTempDirectory("sluice-savepoint");
        String savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        config = new SluiceConfig(config.kafka(), config.job().withParallelism(parallelism), config.limits(),
                config.gateway(), config.catalog());
        job = LocalJob.start(config, stack.catalog, stack.operator.getPublic(), savepoint, faultTap());
    }
}
