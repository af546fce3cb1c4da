package dev.sluice.chaos;

import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.emulator.EmulatedText;
import dev.sluice.job.LocalJob;
import dev.sluice.job.SourceRecord;
import dev.sluice.schema.Completion;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One scenario: the pipeline starts and answers a first prompt, then prompts arrive at a steady rate, the fault
 * strikes a quarter of the way in, and every outcome is read back {@code read_committed} and checked against what
 * was offered.
 */
final class ChaosRun {

    private static final RecordCodec<PromptRequest> CODEC = new RecordCodec<>(PromptRequest.getClassSchema());
    /** Well above what any emulated answer needs, so every whole answer ends on its own. */
    private static final int MAX_TOKENS = 512;
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private final ChaosStack stack;
    private final ChaosScenario scenario;
    private final int prompts;
    private final double perSecond;
    private final String name;
    private final Map<String, PromptRequest> offered = new HashMap<>();
    private SluiceConfig config;
    private JobClient job;

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
        job = LocalJob.start(config, stack.catalog, stack.operator.getPublic(), null, faultTap());
        long started = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = producer();
                OutputCollector output = new OutputCollector(config.kafka())) {
            send(producer, request(name + "-first", "Summarise the first ticket of run " + name + "."));
            producer.flush();
            if (!output.collectUntil(() -> output.outcomes() > 0, PATIENCE)) {
                throw new IllegalStateException(scenario.label() + ": the pipeline answered nothing");
            }
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread publisher = new Thread(() -> publishSteadily(producer, failure), "chaos-publisher");
            Thread fault = new Thread(() -> {
                try {
                    Thread.sleep((long) (prompts / perSecond * 250));
                    scenario.inject(this);
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "chaos-fault");
            publisher.start();
            fault.start();
            // Read while it all happens, so pauses in the output are seen when they happen.
            output.collectUntil(() -> failure.get() != null || (!publisher.isAlive() && !fault.isAlive()
                    && output.outcomes() >= offeredCount()), PATIENCE);
            publisher.join();
            fault.join();
            if (failure.get() != null) {
                throw failure.get();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            // Anything more would be a duplicate: give it time to show.
            output.drain(Duration.ofSeconds(3));
            return report(output, seconds);
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
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, request(name + "-trigger", "Summarise this: " + marker()));
        }
        long deadline = System.nanoTime() + PATIENCE.toNanos();
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

    private void publishSteadily(KafkaProducer<String, byte[]> producer, AtomicReference<Exception> failure) {
        try {
            long start = System.nanoTime();
            for (int i = 0; i < prompts; i++) {
                long due = start + (long) (i * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                send(producer, request(name + "-" + i, (i % 2 == 0 ? "Summarise ticket " : "Translate note ")
                        + i + " of run " + name + " for the weekly report."));
            }
            producer.flush();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private int offeredCount() {
        synchronized (offered) {
            return offered.size();
        }
    }

    private PromptRequest request(String id, String prompt) {
        PromptRequest request = PromptRequest.newBuilder().setRequestId(id).setTenant(ChaosStack.TENANT)
                .setTask(Task.SUMMARIZE).setPrompt(prompt)
                .setParams(GenerationParams.newBuilder().setMaxTokens(MAX_TOKENS).build()).build();
        synchronized (offered) {
            offered.put(id, request);
        }
        return request;
    }

    private void send(KafkaProducer<String, byte[]> producer, PromptRequest request) {
        producer.send(new ProducerRecord<>(config.kafka().topics().prompts(), request.getRequestId(),
                CODEC.encode(request, false)));
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> properties = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    private ChaosReport report(OutputCollector output, double seconds) {
        Map<String, Integer> outcomes = new HashMap<>();
        Map<String, Integer> rejects = new TreeMap<>();
        Map<String, Integer> models = new TreeMap<>();
        int partial = 0;
        for (Completion completion : output.completions()) {
            outcomes.merge(completion.getRequestId(), 1, Integer::sum);
            models.merge(completion.getModelId(), 1, Integer::sum);
            PromptRequest request = offered.get(completion.getRequestId());
            if (request != null && !completion.getText().equals(wholeAnswer(request.getPrompt()))) {
                partial++;
            }
        }
        for (Reject reject : output.rejects()) {
            outcomes.merge(String.valueOf(reject.getRequestId()), 1, Integer::sum);
            rejects.merge(reject.getReason().name(), 1, Integer::sum);
        }
        List<Long> read = output.completionsReadAtNanos();
        int lost = (int) offered.keySet().stream().filter(id -> !outcomes.containsKey(id)).count();
        int duplicated = outcomes.values().stream().mapToInt(count -> count - 1).sum();
        return new ChaosReport(scenario.label(), offered.size(), output.completions().size(), rejects, lost,
                duplicated, partial, models, longestGapSeconds(read), seconds);
    }

    /** What every emulated server answers to {@code prompt} when nothing cuts it short. */
    private static String wholeAnswer(String prompt) {
        return EmulatedText.completion(prompt, EmulatedText.naturalLength(prompt));
    }

    /** The longest pause between completions read in order, first to last. */
    private static double longestGapSeconds(List<Long> readAtNanos) {
        long longest = 0;
        for (int i = 1; i < readAtNanos.size(); i++) {
            longest = Math.max(longest, readAtNanos.get(i) - readAtNanos.get(i - 1));
        }
        return longest / 1e9;
    }
}
