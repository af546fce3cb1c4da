package dev.sluice.chaos;

import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.emulator.EmulatedText;
import dev.sluice.schema.Completion;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The load of one fault scenario, whatever runs the job: a first prompt that must be answered, then prompts at a
 * steady rate while the fault strikes a quarter of the way in; every outcome is read back {@code read_committed}
 * and checked per request id against what was offered.
 */
final class SteadyLoad {

    /** A fault: returns once it is over (or, for a restart, once the job is on its way back). */
    @FunctionalInterface
    interface Fault {
        void inject() throws Exception;
    }

    /** What a scenario sets on the {@code index}th of its steady prompts beyond the plain ones: a priority, a hint. */
    @FunctionalInterface
    interface Shape {
        void apply(int index, PromptRequest.Builder request);
    }

    /** Prompts as they are: interactive, for whichever eligible model the router ranks first. */
    static final Shape PLAIN = (index, request) -> { };

    private static final RecordCodec<PromptRequest> CODEC = new RecordCodec<>(PromptRequest.getClassSchema());
    /** Well above what any emulated answer needs, so every whole answer ends on its own. */
    private static final int MAX_TOKENS = 512;
    /** The longest wait for the pipeline's first answer, and for every outcome once the load is offered. */
    static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final Duration OUTAGE_WAIT = Duration.ofMinutes(10);
    /** Checkpoints to keep reading for once every prompt has an outcome: a duplicate has that long to show. */
    private static final int DRAIN_CHECKPOINTS = 3;

    private final SluiceConfig config;
    private final String name;
    private final int prompts;
    private final double perSecond;
    private final Shape shape;
    private final Map<String, PromptRequest> offered = new HashMap<>();
    /** The first thing that went wrong with the load itself, not with the job: a fault, a prompt not published. */
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /**
     * @param config the job's configuration: its prompts and output topics, and its checkpoint interval
     * @param name the request ids' prefix, unique per scenario
     * @param prompts prompts offered at the steady rate, after the first
     * @param perSecond that rate
     * @param shape what the scenario sets on each of them
     */
    SteadyLoad(SluiceConfig config, String name, int prompts, double perSecond, Shape shape) {
        this.config = config;
        this.name = name;
        this.prompts = prompts;
        this.perSecond = perSecond;
        this.shape = shape;
    }

    /** Plain prompts. */
    SteadyLoad(SluiceConfig config, String name, int prompts, double perSecond) {
        this(config, name, prompts, perSecond, PLAIN);
    }

    /** Runs the load with {@code fault} striking a quarter of the way in; the report is labelled {@code scenario}. */
    ChaosReport run(String scenario, Fault fault) throws Exception {
        long started = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = producer();
                OutputCollector output = new OutputCollector(config.kafka())) {
            send(producer, request(name + "-first", "Summarise the first ticket of run " + name + "."));
            producer.flush();
            if (!output.collectUntil(() -> output.outcomes() > 0, PATIENCE)) {
                throw new IllegalStateException(scenario + ": the pipeline answered nothing");
            }
            Thread publisher = new Thread(() -> publishSteadily(producer), "chaos-publisher");
            Thread striker = new Thread(() -> {
                try {
                    Thread.sleep((long) (prompts / perSecond * 250));
                    fault.inject();
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "chaos-fault");
            publisher.start();
            striker.start();
            // Read while it all happens, so pauses in the output are seen when they happen. A fault lasts as long
            // as it lasts; the patience runs from its end.
            while (striker.isAlive() && failure.get() == null) {
                output.collectUntil(() -> failure.get() != null || !striker.isAlive(), PATIENCE);
            }
            output.collectUntil(() -> failure.get() != null || (!publisher.isAlive()
                    && output.outcomes() >= offeredCount()), PATIENCE);
            publisher.join();
            striker.join();
            if (failure.get() != null) {
                throw failure.get();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            // Anything more would be a duplicate: give it time to show.
            output.drain(config.job().checkpointInterval().multipliedBy(DRAIN_CHECKPOINTS));
            return report(scenario, output, seconds);
        }
    }

    /** Publishes one more prompt, offered like the others. */
    void offer(String id, String prompt) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, request(id, prompt));
        }
    }

    private void publishSteadily(KafkaProducer<String, byte[]> producer) {
        try {
            long start = System.nanoTime();
            for (int i = 0; i < prompts; i++) {
                pace(start, i * 1e9 / perSecond);
                send(producer, request(name + "-" + i, (i % 2 == 0 ? "Summarise ticket " : "Translate note ")
                        + i + " of run " + name + " for the weekly report.", i));
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
        return request(id, prompt, -1);
    }

    /** A prompt; the steady ones, numbered from 0 by {@code index}, as the scenario shapes them. */
    private PromptRequest request(String id, String prompt, int index) {
        PromptRequest.Builder builder = PromptRequest.newBuilder().setRequestId(id).setTenant(ChaosStack.TENANT)
                .setTask(Task.SUMMARIZE).setPrompt(prompt)
                .setParams(GenerationParams.newBuilder().setMaxTokens(MAX_TOKENS).build());
        if (index >= 0) {
            shape.apply(index, builder);
        }
        PromptRequest request = builder.build();
        synchronized (offered) {
            offered.put(id, request);
        }
        return request;
    }

    /** Sends {@code request}; a prompt the broker never took fails the run, as it could not be the job's loss. */
    private void send(KafkaProducer<String, byte[]> producer, PromptRequest request) {
        producer.send(new ProducerRecord<>(config.kafka().topics().prompts(), request.getRequestId(),
                CODEC.encode(request, false)), (written, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, new IllegalStateException("prompt " + request.getRequestId()
                                + " was not published", error));
                    }
                });
    }

    private KafkaProducer<String, byte[]> producer() {
        return producer(config.kafka().bootstrapServers());
    }

    /**
     * A well-behaved tenant's producer: every send acknowledged by all replicas, none written twice, and sends
     * that wait out a broker outage as long as the longest scenario's (Kafka's defaults give up after 1-2 min).
     */
    static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Map<String, Object> properties = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) OUTAGE_WAIT.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) OUTAGE_WAIT.toMillis());
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sleeps until {@code offsetNanos} after {@code start}, a {@link System#nanoTime()} instant. */
    static void pace(long start, double offsetNanos) throws InterruptedException {
        long wait = start + (long) offsetNanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private ChaosReport report(String scenario, OutputCollector output, double seconds) {
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
        return new ChaosReport(scenario, offered.size(), output.completions().size(), rejects, lost,
                duplicated, partial, models, Map.of(), longestGapSeconds(read), seconds, Double.NaN);
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
