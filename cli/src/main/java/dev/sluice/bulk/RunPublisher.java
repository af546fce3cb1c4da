package dev.sluice.bulk;

import dev.sluice.config.KafkaSettings;
import dev.sluice.run.RunKeys;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RunCommand;
import dev.sluice.serde.RecordCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a bulk run: its commands to the run commands topic, its requests as PromptBatches to the prompts
 * topic. Idempotent and acknowledged by every in-sync replica, so what {@link #flush} returns from is stored.
 */
public final class RunPublisher implements AutoCloseable {

    private final KafkaSettings kafka;
    private final Producer<String, byte[]> producer;
    private final RecordCodec<RunCommand> commands = new RecordCodec<>(RunCommand.getClassSchema());
    private final RecordCodec<PromptBatch> batches = new RecordCodec<>(PromptBatch.getClassSchema());
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public RunPublisher(KafkaSettings kafka) {
        this(kafka, new KafkaProducer<>(producerProperties(kafka), new StringSerializer(), new ByteArraySerializer()));
    }

    /** Publishes through {@code producer}, which it closes: a test's MockProducer records what was sent. */
    RunPublisher(KafkaSettings kafka, Producer<String, byte[]> producer) {
        this.kafka = kafka;
        this.producer = producer;
    }

    private static Properties producerProperties(KafkaSettings kafka) {
        Properties properties = kafka.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return properties;
    }

    /** Sends {@code command} and waits until it is stored: the pipeline must see it before what follows it. */
    public void send(RunCommand command) {
        producer.send(new ProducerRecord<>(kafka.topics().of(command.getTenant()).runCommands(),
                RunKeys.of(command.getTenant(), command.getRunId()), commands.encode(command, false)), this::failed);
        flush();
    }

    /**
     * Sends the requests of one run in batches of at most {@code perBatch} requests and {@code maxBytes} encoded
     * bytes, keyed by batch so that they spread over the topic's partitions; returns how many batches.
     */
    public int publish(String tenant, String runId, List<PromptRequest> requests, int perBatch, int maxBytes) {
        Batches batches = batches(tenant, runId, perBatch, maxBytes);
        requests.forEach(batches::add);
        return batches.finish();
    }

    /**
     * Batches for the requests of one run as they come, each sent once full, as {@link #publish} sends a list: a
     * run's requests need not all be held at once.
     */
    public Batches batches(String tenant, String runId, int perBatch, int maxBytes) {
        return new Batches(tenant, runId, perBatch, maxBytes);
    }

    /** The batch being filled, of at most {@code perBatch} requests and {@code maxBytes} encoded bytes. */
    public final class Batches {

        private final String tenant;
        private final String runId;
        private final int perBatch;
        private final int maxBytes;
        private List<PromptRequest> batch = new ArrayList<>();
        private long bytes;
        private int sent;
        private int requests;

        private Batches(String tenant, String runId, int perBatch, int maxBytes) {
            this.tenant = tenant;
            this.runId = runId;
            this.perBatch = perBatch;
            this.maxBytes = maxBytes;
        }

        /** Adds the request to the batch, sending the batch first if the request would overfill it. */
        public void add(PromptRequest request) {
            long size = aloneBytes(tenant, runId, request);
            if (!batch.isEmpty() && (batch.size() >= perBatch || bytes + size > maxBytes)) {
                sendBatch();
            }
            batch.add(request);
            bytes += size;
            requests++;
        }

        /** How many requests were added. */
        public int requests() {
            return requests;
        }

        /** Sends the last batch and waits until every batch is stored; returns how many batches were sent. */
        public int finish() {
            if (!batch.isEmpty()) {
                sendBatch();
            }
            flush();
            return sent;
        }

        private void sendBatch() {
            send(tenant, runId, batch);
            sent++;
            batch = new ArrayList<>();
            bytes = 0;
        }
    }

    private void send(String tenant, String runId, List<PromptRequest> requests) {
        String batchId = requests.get(0).getRequestId();
        PromptBatch batch = PromptBatch.newBuilder().setBatchId(batchId).setTenant(tenant).setRunId(runId)
                .setRequests(requests).build();
        producer.send(new ProducerRecord<>(kafka.topics().of(tenant).prompts(), batchId, batches.encode(batch, false)),
                this::failed);
    }

    /**
     * The encoded size of a batch of {@code request} alone: what the intake measures against its record limit when
     * the request cannot share a batch.
     */
    long aloneBytes(String tenant, String runId, PromptRequest request) {
        return batches.encode(PromptBatch.newBuilder().setBatchId(request.getRequestId()).setTenant(tenant)
                .setRunId(runId).setRequests(List.of(request)).build(), false).length;
    }

    private void failed(Object metadata, Exception error) {
        if (error != null) {
            failure.compareAndSet(null, error);
        }
    }

    /** Waits for everything sent; throws if any of it failed. */
    public void flush() {
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("publishing the run failed", failure.get());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
