package dev.sluice.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.Topics;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.Priority;
import dev.sluice.serde.RecordCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice tail} and {@code sluice top --once} against a real broker, through the command line. */
class TerminalViewsITCase {

    private static EmbeddedKafka kafka;
    private static Topics topics;
    @TempDir
    static Path folder;
    private static Path config;

    @BeforeAll
    static void start() throws IOException {
        kafka = EmbeddedKafka.start();
        topics = new Topics("term");
        kafka.createPipelineTopics(topics, 2);
        config = folder.resolve("sluice.yaml");
        Files.writeString(config, "kafka:\n  bootstrap-servers: " + kafka.bootstrapServers()
                + "\n  topic-prefix: term\n  output-format: json\n");
        KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), "term", "json", Duration.ofMinutes(5),
                Map.of());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            send(producer, topics.metrics(), metric("r-1"), false);
            send(producer, topics.metrics(), metric("r-2"), true);
            send(producer, topics.metricsSummary(), summary(0, 40), false);
            send(producer, topics.metricsSummary(), summary(60_000, 90), false);
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static <T extends SpecificRecordBase> void send(KafkaProducer<byte[], byte[]> producer, String topic,
            T record, boolean json) {
        producer.send(new ProducerRecord<>(topic, new RecordCodec<T>(record.getSchema()).encode(record, json)));
    }

    private static InferenceMetric metric(String id) {
        return InferenceMetric.newBuilder().setRequestId(id).setTenant("acme").setModelId("m").setBackend("triton")
                .setEndpoint("e:1").setPriority(Priority.INTERACTIVE).setQueueMs(1).setTimeToFirstTokenMs(5)
                .setEndToEndMs(9).setPromptTokens(3).setCompletionTokens(4).setOutputTokensPerSecond(500)
                .setBatchSize(2).setOutcome("OK").setEventTime(1_000).build();
    }

    private static MetricsSummary summary(long windowStart, long count) {
        return MetricsSummary.newBuilder().setModelId("m").setEndpoint("*").setWindowStart(windowStart)
                .setWindowEnd(windowStart + 60_000).setCount(count).setOkCount(count).setLatencyP99Ms(count * 10)
                .build();
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new dev.sluice.cli.SluiceCli()).setOut(new PrintWriter(out)).execute(args);
        assertThat(code).isZero();
        return out.toString();
    }

    @Test
    void tailPrintsEachRecordAsAJsonLineWhetherWrittenAsAvroOrJson() {
        List<String> lines = run("tail", "metrics", "--config", config.toString(), "--from-beginning", "--max", "2")
                .lines().toList();

        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("{").contains("\"tenant\":\"acme\""));
        assertThat(String.join("\n", lines)).contains("\"request_id\":\"r-1\"", "\"request_id\":\"r-2\"");
    }

    @Test
    void topOnceShowsEachModelsLatestWindow() {
        List<String> lines = run("top", "--config", config.toString(), "--once").lines().toList();

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("m ").contains("00:01:00-00:02:00", " 90 ", " 900 ");
    }
}
