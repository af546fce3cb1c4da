package dev.sluice.chaos;

import dev.sluice.chaos.HostileRecords.Hostile;
import dev.sluice.config.LimitSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Tenancy;
import dev.sluice.config.TenantTopics;
import dev.sluice.demo.OutputCollector;
import dev.sluice.job.LocalJob;
import dev.sluice.routing.CatalogSignature;
import dev.sluice.schema.Completion;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import dev.sluice.terminal.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code sluice bench chaos --faults poison}: two well-behaved tenants publish at a steady rate, first alone, then
 * with a hostile tenant's records beside them ({@link HostileRecords}), in {@code tenancy: topic}, after an unmeasured
 * warm-up run. Each well-behaved prompt must end as exactly one completion, the job must never restart, every hostile
 * record must be answered as it should (a reject with its reason, or a dead letter, at its offset), and the
 * well-behaved tenants' p99 latency is compared between the two measured runs.
 */
final class PoisonRun {

    /** The intake's record limit here: half the broker's, so records at it and just over it can be published. */
    static final int MAX_RECORD_BYTES = 512 * 1024;
    /** Whose run the hostile tenant's forged commands try to cancel; half the first tenant's prompts are in it. */
    static final String VICTIM_RUN = "weekly-report";
    private static final RecordCodec<PromptRequest> CODEC = new RecordCodec<>(PromptRequest.getClassSchema());
    private static final Duration PATIENCE = Duration.ofSeconds(180);
    private static final long SEED = 14;

    private final ChaosStack stack;
    private final int prompts;
    private final double perSecond;
    private final int hostilePerKind;

    /**
     * @param prompts well-behaved prompts offered in each of the two runs
     * @param perSecond the rate they are offered at
     * @param hostilePerKind hostile records of each cheap kind (a few of the heavy kinds)
     */
    PoisonRun(ChaosStack stack, int prompts, double perSecond, int hostilePerKind) {
        this.stack = stack;
        this.prompts = prompts;
        this.perSecond = perSecond;
        this.hostilePerKind = hostilePerKind;
    }

    PoisonReport run() throws Exception {
        // Unmeasured: the first job in this JVM loads classes and compiles hot code, which would inflate whichever
        // phase ran first and flatter or spoil the ratio.
        new Phase("chaos-poison-warm-up", Math.max(1, prompts / 4), List.of()).run();
        Phase baseline = new Phase("chaos-poison-baseline", prompts, List.of());
        baseline.run();
        List<Hostile> hostile = HostileRecords.generate(ChaosStack.HOSTILE_TENANT, ChaosStack.TENANT, VICTIM_RUN,
                MAX_RECORD_BYTES, stack.catalog, hostilePerKind, SEED);
        Phase poison = new Phase("chaos-poison", prompts, hostile);
        poison.run();
        Map<String, Integer> kinds = new TreeMap<>();
        hostile.forEach(record -> kinds.merge(record.kind(), 1, Integer::sum));
        return new PoisonReport(prompts, poison.completed, poison.lost, poison.duplicated,
                AttemptProbe.restarts(poison.name), kinds, poison.answered, baseline.p99Seconds(),
                poison.p99Seconds());
    }

    /** One run: the job on topics of its own, {@code offered} prompts of steady load, and the hostile records if any. */
    private final class Phase {

        private final String name;
        private final int offered;
        private final List<Hostile> hostile;
        private final Map<String, Long> sentAtNanos = new ConcurrentHashMap<>();
        private final List<Sent> hostileSent = new ArrayList<>();
        private final List<Double> latencies = new ArrayList<>();
        private final Map<String, Integer> answered = new TreeMap<>();
        private SluiceConfig config;
        private int completed;
        private int lost;
        private int duplicated;

        Phase(String name, int offered, List<Hostile> hostile) {
            this.name = name;
            this.offered = offered;
            this.hostile = hostile;
        }

        void run() throws Exception {
            SluiceConfig base = stack.config(name, 2);
            config = new SluiceConfig(base.kafka().withTenancy(Tenancy.topic), base.job(),
                    new LimitSettings(MAX_RECORD_BYTES, 0, 0, 0, 0, null), base.gateway(), base.catalog());
            List<String> tenants = List.of(ChaosStack.TENANT, ChaosStack.SECOND_TENANT, ChaosStack.HOSTILE_TENANT);
            tenants.forEach(tenant -> stack.kafka.createTenantTopics(config.kafka().topics(), tenant, 2));
            JobClient job = LocalJob.start(config, stack.catalog, stack.operator.getPublic(), null,
                    records -> records.map(new AttemptProbe(name)).uid("attempt-probe").name("attempt probe"));
            try (KafkaProducer<String, byte[]> producer = SteadyLoad.producer(stack.bootstrapServers);
                    OutputCollector output = OutputCollector.ofTenants(config.kafka(), tenants)) {
                String first = name + "-first";
                send(producer, request(first, ChaosStack.TENANT, null));
                producer.flush();
                if (!output.collectUntil(() -> output.outcomes() > 0, PATIENCE)) {
                    throw new IllegalStateException(name + ": the pipeline answered nothing");
                }
                sentAtNanos.remove(first);
                AtomicReference<Exception> failure = new AtomicReference<>();
                Thread steady = new Thread(() -> publishSteadily(producer, failure), name + "-steady");
                Thread hostility = new Thread(() -> publishHostile(failure), name + "-hostile");
                steady.start();
                hostility.start();
                int hostilePrompts = (int) hostile.stream()
                        .filter(record -> record.target() == HostileRecords.Target.PROMPTS).count();
                output.collectUntil(() -> failure.get() != null || (!steady.isAlive() && !hostility.isAlive()
                        && wellBehavedOutcomes(output) >= offered
                        && hostileOutcomes(output) >= hostilePrompts), PATIENCE);
                steady.join();
                hostility.join();
                if (failure.get() != null) {
                    throw failure.get();
                }
                // Anything more would be a duplicate: give it time to show.
                output.drain(Duration.ofSeconds(3));
                tally(output);
            } finally {
                job.cancel().get();
            }
        }

        private void publishSteadily(KafkaProducer<String, byte[]> producer, AtomicReference<Exception> failure) {
            try {
                long start = System.nanoTime();
                for (int i = 0; i < offered; i++) {
                    SteadyLoad.pace(start, i * 1e9 / perSecond);
                    // Half the first tenant's prompts belong to the run the hostile tenant tries to cancel.
                    String tenant = i % 2 == 0 ? ChaosStack.TENANT : ChaosStack.SECOND_TENANT;
                    send(producer, request(name + "-" + i, tenant, i % 4 == 0 ? (long) i : null));
                }
                producer.flush();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }

        /** The hostile records, spread evenly over the time the steady load takes. */
        private void publishHostile(AtomicReference<Exception> failure) {
            if (hostile.isEmpty()) {
                return;
            }
            TenantTopics own = config.kafka().topics().of(ChaosStack.HOSTILE_TENANT);
            double spacingNanos = offered / perSecond * 1e9 / hostile.size();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            try (KafkaProducer<String, byte[]> producer = hostileProducer()) {
                long start = System.nanoTime();
                for (int i = 0; i < hostile.size(); i++) {
                    SteadyLoad.pace(start, i * spacingNanos);
                    Hostile record = hostile.get(i);
                    String topic = switch (record.target()) {
                        case PROMPTS -> own.prompts();
                        case RUN_COMMANDS -> own.runCommands();
                        case CATALOG -> config.kafka().topics().catalog();
                    };
                    ProducerRecord<String, byte[]> sent = new ProducerRecord<>(topic, record.key(), record.value());
                    if (record.signature() != null) {
                        sent.headers().add(CatalogSignature.HEADER, record.signature());
                    }
                    acks.add(producer.send(sent));
                }
                producer.flush();
                for (int i = 0; i < hostile.size(); i++) {
                    RecordMetadata stored = acks.get(i).get();
                    hostileSent.add(new Sent(hostile.get(i), stored.topic(), stored.partition(), stored.offset()));
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }

        private void tally(OutputCollector output) {
            Map<String, Integer> outcomes = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < output.completions().size(); i++) {
                Completion completion = output.completions().get(i);
                Long sent = sentAtNanos.get(completion.getRequestId());
                if (sent == null) {
                    continue;
                }
                outcomes.merge(completion.getRequestId(), 1, Integer::sum);
                if (seen.add(completion.getRequestId())) {
                    latencies.add((output.completionsReadAtNanos().get(i) - sent) / 1e9);
                }
            }
            Map<String, Set<String>> reasonsAt = new HashMap<>();
            for (Reject reject : output.rejects()) {
                if (reject.getRequestId() != null && sentAtNanos.containsKey(reject.getRequestId())) {
                    outcomes.merge(reject.getRequestId(), 1, Integer::sum);
                }
                if (reject.getSourceTopic() != null) {
                    reasonsAt.computeIfAbsent(coordinates(reject.getSourceTopic(), reject.getSourcePartition(),
                            reject.getSourceOffset()), k -> new HashSet<>()).add(reject.getReason().name());
                }
            }
            completed = seen.size();
            lost = (int) sentAtNanos.keySet().stream().filter(id -> !outcomes.containsKey(id)).count();
            duplicated = outcomes.values().stream().mapToInt(count -> count - 1).sum();
            Map<String, String> deadLetters = deadLetters();
            for (Sent sent : hostileSent) {
                String at = coordinates(sent.topic(), sent.partition(), sent.offset());
                Set<String> expected = sent.record().expected();
                boolean properly = sent.record().target() == HostileRecords.Target.PROMPTS
                        ? expected.stream().anyMatch(reasonsAt.getOrDefault(at, Set.of())::contains)
                        : deadLetters.containsKey(at) && (expected.isEmpty()
                                || expected.stream().anyMatch(deadLetters.get(at)::startsWith));
                answered.merge(sent.record().kind(), properly ? 1 : 0, Integer::sum);
            }
        }

        /**
         * The dead letters by their source coordinates, once there are as many as hostile run commands and catalog
         * documents were sent (or {@link #PATIENCE} has passed): they commit with the job's checkpoints, apart from
         * the prompts' outcomes.
         */
        private Map<String, String> deadLetters() {
            long expected = hostileSent.stream()
                    .filter(sent -> sent.record().target() != HostileRecords.Target.PROMPTS).count();
            Map<String, String> letters = new HashMap<>();
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            try (TopicReader<DeadLetter> reader = new TopicReader<>(config.kafka(),
                    config.kafka().topics().deadLetters(), DeadLetter.getClassSchema(), true)) {
                do {
                    reader.poll(Duration.ofMillis(200), letter -> letters.put(coordinates(letter.getSourceTopic(),
                            letter.getSourcePartition(), letter.getSourceOffset()), letter.getReason()));
                } while (letters.size() < expected && System.nanoTime() < deadline);
            }
            return letters;
        }

        double p99Seconds() {
            List<Double> sorted = latencies.stream().sorted().toList();
            return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
        }

        private int wellBehavedOutcomes(OutputCollector output) {
            return (int) (output.completions().stream().filter(c -> sentAtNanos.containsKey(c.getRequestId()))
                    .count() + output.rejects().stream()
                    .filter(r -> r.getRequestId() != null && sentAtNanos.containsKey(r.getRequestId()))
                    .count());
        }

        /** The hostile tenant's outcomes: a reject for each hostile record, or a completion if one got through. */
        private long hostileOutcomes(OutputCollector output) {
            return output.rejects().stream().filter(r -> ChaosStack.HOSTILE_TENANT.equals(r.getTenant())).count()
                    + output.completions().stream().filter(c -> ChaosStack.HOSTILE_TENANT.equals(c.getTenant()))
                            .count();
        }

        private PromptRequest request(String id, String tenant, Long itemIndex) {
            return PromptRequest.newBuilder().setRequestId(id).setTenant(tenant).setTask(Task.SUMMARIZE)
                    .setPrompt("Summarise ticket " + id + " for the weekly report.")
                    .setRunId(itemIndex == null ? null : VICTIM_RUN).setItemIndex(itemIndex)
                    .setParams(GenerationParams.newBuilder().setMaxTokens(64).build()).build();
        }

        private void send(KafkaProducer<String, byte[]> producer, PromptRequest request) {
            sentAtNanos.put(request.getRequestId(), System.nanoTime());
            producer.send(new ProducerRecord<>(config.kafka().topics().of(request.getTenant()).prompts(),
                    request.getRequestId(), CODEC.encode(request, false)));
        }
    }

    /** Where a hostile record was stored. */
    private record Sent(Hostile record, String topic, int partition, long offset) {}

    private static String coordinates(String topic, Integer partition, Long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    /** Takes records up to the broker's own limit, beyond the intake's: the intake, not the client, must refuse. */
    private KafkaProducer<String, byte[]> hostileProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * MAX_RECORD_BYTES + 4096),
                new StringSerializer(), new ByteArraySerializer());
    }
}
