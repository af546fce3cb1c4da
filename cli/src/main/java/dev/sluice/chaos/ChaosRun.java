package dev.sluice.chaos;

import dev.sluice.config.SluiceConfig;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.job.LocalJob;
import dev.sluice.job.SourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
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
    private final Duration requestTimeout;
    private SluiceConfig config;
    private JobClient job;
    private SteadyLoad load;

    /**
     * @param requestTimeout the job's {@code job.request-timeout}, which the long faults are multiples of
     */
    ChaosRun(ChaosStack stack, ChaosScenario scenario, int prompts, double perSecond, String name,
            Duration requestTimeout) {
        this.stack = stack;
        this.scenario = scenario;
        this.prompts = prompts;
        this.perSecond = perSecond;
        this.name = name;
        this.requestTimeout = requestTimeout;
    }

    ChaosStack stack() {
        return stack;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    ChaosReport run() throws Exception {
        config = stack.config(name, scenario.initialParallelism(), requestTimeout);
        load = new SteadyLoad(config, name, prompts, perSecond, scenario::shape);
        scenario.beforeStart(this);
        job = LocalJob.start(config, stack.catalog, stack.operator.getPublic(), null, faultTap());
        Map<String, Long> finishedBefore = finishedByServer();
        try (HeapWatch heap = HeapWatch.start()) {
            ChaosReport report = load.run(scenario.label(), () -> scenario.inject(this));
            Map<String, Long> served = new TreeMap<>();
            finishedByServer().forEach((server, finished) -> {
                long during = finished - finishedBefore.get(server);
                if (during > 0) {
                    served.put(server, during);
                }
            });
            return report.withMeasuredBeside(served, heap.peakMb());
        } finally {
            job.cancel().get();
            ChaosScenario.clear(stack.servers);
        }
    }

    /** Sequences each server's engines have finished so far, by endpoint. */
    private Map<String, Long> finishedByServer() {
        Map<String, Long> finished = new HashMap<>();
        for (EmulatorServer server : stack.servers) {
            finished.put(server.endpoint(), server.models().values().stream()
                    .mapToLong(model -> model.engine().stats().finishedSequences()).sum());
        }
        return finished;
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
