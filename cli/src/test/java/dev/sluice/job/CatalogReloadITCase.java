package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogGate.Reason;
import dev.sluice.routing.CatalogKeys;
import dev.sluice.routing.CatalogPublisher;
import dev.sluice.routing.CatalogSignature;
import dev.sluice.routing.CatalogUpdateRules;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Task;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A signed catalog published to the catalog topic takes over routing mid-stream, without a restart or a lost
 * request; unsigned, wrongly signed and endpoint-redirecting documents before it change nothing and are counted.
 */
class CatalogReloadITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .setConfiguration(METRICS.addToConfiguration(new Configuration())).build());

    private static final KeyPair OPERATOR = CatalogKeys.generate();
    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("reload");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void summariesMoveToTheModelOnlyTheSignedCatalogRecommends() throws Exception {
        JobClient job = env.startPipeline(new Configuration(), OPERATOR.getPublic());
        Set<String> ids = new HashSet<>();
        try (OutputCollector output = new OutputCollector(env.config.kafka())) {
            env.publish(summaries("before", 20, ids));
            assertThat(output.collectUntil(() -> output.completions().size() >= 20, Duration.ofSeconds(60))).isTrue();

            // The new catalog scores text-model more than 3 points below chat-model on MMLU: chat-model wins summaries.
            Catalog reloaded = Catalog.parse(TestCatalog.DOCUMENT.replace("{mmlu: 69,", "{mmlu: 60,"),
                    "reloaded").withEndpoints(env.emulators.endpoints());
            byte[] document = reloaded.toYaml().getBytes(StandardCharsets.UTF_8);
            byte[] redirected = reloaded.withEndpoints(Map.of("chat-model", "attacker.example:30000")).toYaml()
                    .getBytes(StandardCharsets.UTF_8);
            send(document, null);
            send(document, CatalogSignature.sign(CatalogKeys.generate().getPrivate(), document));
            send(redirected, CatalogSignature.sign(OPERATOR.getPrivate(), redirected));
            awaitCount(job.getJobID(), "reason." + Reason.NOT_ALLOWED + ".catalog_documents_refused", 1);
            assertThat(count(job.getJobID(), "reason." + Reason.UNSIGNED + ".catalog_documents_refused")).isEqualTo(1);
            assertThat(count(job.getJobID(), "reason." + Reason.BAD_SIGNATURE + ".catalog_documents_refused"))
                    .isEqualTo(1);
            // Refused, so still routed as before: the three documents were checked before these were published.
            env.publish(summaries("refused", 10, ids));
            assertThat(output.collectUntil(() -> output.completions().size() >= 30, Duration.ofSeconds(60))).isTrue();

            new CatalogPublisher(env.config.kafka(), OPERATOR.getPrivate(),
                    new CatalogUpdateRules(env.catalog, Set.of())).publish(reloaded);
            int probes = 0;
            while (probes < 60 && !routedTo(output, "probe-", "chat-model")) {
                env.publish(summaries("probe-" + probes++, 1, ids));
                output.collectUntil(() -> false, Duration.ofMillis(500));
            }
            env.publish(summaries("after", 20, ids));
            boolean done = output.collectUntil(() -> output.completions().size() >= ids.size(), Duration.ofSeconds(60));
            output.drain(Duration.ofSeconds(2));
            long accepted = count(job.getJobID(), "sluice.catalog_documents_accepted");
            job.cancel().get();

            assertThat(done).isTrue();
            assertThat(output.completions()).extracting(Completion::getRequestId)
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
            assertThat(output.completions()).filteredOn(c -> c.getRequestId().startsWith("before")
                            || c.getRequestId().startsWith("refused"))
                    .hasSize(30).extracting(Completion::getModelId).containsOnly("text-model");
            assertThat(output.completions()).filteredOn(c -> c.getRequestId().startsWith("after"))
                    .extracting(Completion::getModelId).containsOnly("chat-model");
            assertThat(output.rejects()).isEmpty();
            assertThat(accepted).isEqualTo(1);
            // Each refused document is kept, once, at its offset, with its reason first.
            assertThat(UnreadableRecords.awaitDeadLetters(env.config.kafka(), 3, Duration.ofSeconds(30)))
                    .allSatisfy(letter -> assertThat(letter.getSourceTopic())
                            .isEqualTo(env.config.kafka().topics().catalog()))
                    .extracting(letter -> letter.getSourceOffset() + " " + letter.getReason().split(":")[0])
                    .containsExactlyInAnyOrder("0 " + Reason.UNSIGNED, "1 " + Reason.BAD_SIGNATURE, "2 " + Reason.NOT_ALLOWED);
        }
    }

    /** A record of the catalog topic as any writer could produce it, {@code signature} null for none. */
    private static void send(byte[] document, byte[] signature) throws Exception {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(env.config.kafka().topics().catalog(), CatalogPublisher.KEY, document);
        if (signature != null) {
            record.headers().add(CatalogSignature.HEADER, signature);
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(env.config.kafka().clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }
    }

    private static void awaitCount(JobID job, String metric, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count(job, metric) < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(count(job, metric)).isEqualTo(expected);
    }

    /** The sum of the job's counters whose identifier ends with {@code suffix}. */
    private static long count(JobID job, String suffix) {
        return METRICS.findMetrics(job, Pattern.quote(suffix) + "$").values().stream()
                .filter(Counter.class::isInstance).mapToLong(metric -> ((Counter) metric).getCount()).sum();
    }

    private static boolean routedTo(OutputCollector output, String prefix, String model) {
        return output.completions().stream()
                .anyMatch(c -> c.getRequestId().startsWith(prefix) && c.getModelId().equals(model));
    }

    private static List<SampleRecord> summaries(String name, int count, Set<String> ids) {
        List<SampleRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = name + "-" + i;
            ids.add(id);
            records.add(PipelineTestEnv.avro(PipelineTestEnv.request(id, Task.SUMMARIZE, "Summarize: report " + i)));
        }
        return records;
    }
}
