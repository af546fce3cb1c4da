package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.backend.security.TestCertificates;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.embedded.SaslSsl;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Task;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against a broker that speaks only SASL_SSL, every client's password read from a file by Kafka's
 * {@code FileConfigProvider}: completions arrive, a wrong password is refused, and neither password is ever
 * logged or put in an exception.
 */
class KafkaSecurityITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    /** Distinctive, so that any copy of them in a log line or an exception is found. */
    private static final String PASSWORD = "right-" + UUID.randomUUID();
    private static final String WRONG_PASSWORD = "wrong-" + UUID.randomUUID();

    @TempDir
    static Path dir;

    private static PipelineTestEnv env;
    private static Path caCertificate;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        caCertificate = certificates.caCertificate;
        EmbeddedKafka kafka = EmbeddedKafka.start(new SaslSsl(Files.readString(certificates.caCertificate),
                Files.readString(certificates.serverCertificate), Files.readString(certificates.serverKey),
                "sluice", PASSWORD));
        env = new PipelineTestEnv("secure", Duration.ofMillis(500), kafka, saslSsl(secretsFile("right", PASSWORD)));
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void completionsArriveOverSaslSslAndThePasswordIsNeverLogged() throws Exception {
        List<String> ids = IntStream.range(0, 6).mapToObj(i -> "secure-" + i).toList();
        List<SampleRecord> prompts = ids.stream()
                .map(id -> PipelineTestEnv.avro(PipelineTestEnv.request(id, Task.SUMMARIZE, "document " + id)))
                .toList();
        InferencePipeline pipeline = env.pipeline();
        // What Flink ships to its TaskManagers carries the placeholder; only the Kafka client reads the file.
        String shippedSink = new String(InstantiationUtil.serializeObject(pipeline.sink("completions", "completions",
                Completion::getRequestId, Completion.getClassSchema())), StandardCharsets.ISO_8859_1);
        assertThat(shippedSink).contains("${file:").doesNotContain(PASSWORD);

        try (LogCapture logs = LogCapture.open()) {
            StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
            pipeline.configure(flink);
            pipeline.attach(pipeline.source(flink));
            JobClient job = flink.executeAsync(InferencePipeline.JOB_NAME);
            try (OutputCollector output = new OutputCollector(env.config.kafka())) {
                env.publish(prompts);
                boolean done = output.collectUntil(() -> output.completions().size() >= ids.size(),
                        Duration.ofSeconds(90));
                job.cancel().get();

                assertThat(done).as("all completions arrived").isTrue();
                assertThat(output.completions()).extracting(Completion::getRequestId)
                        .containsExactlyInAnyOrderElementsOf(ids);
            }
            // The capture saw the clients log in, so it would have seen them log a secret.
            assertThat(logs.lines()).anyMatch(line -> line.contains("Successfully logged in"));
            assertThat(logs.lines()).noneMatch(line -> line.contains(PASSWORD));
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndAppearsInNoLogNorException() throws Exception {
        Properties client = env.config.kafka().clientProperties();
        client.putAll(saslSsl(secretsFile("wrong", WRONG_PASSWORD)));
        try (LogCapture logs = LogCapture.open(); Admin admin = Admin.create(client)) {
            Throwable failure = catchThrowable(
                    () -> admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS));

            assertThat(failure).hasCauseInstanceOf(SaslAuthenticationException.class);
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).contains("Invalid username or password")
                    .doesNotContain(WRONG_PASSWORD).doesNotContain(PASSWORD);
            assertThat(logs.lines()).anyMatch(line -> line.contains("failed authentication"));
            assertThat(logs.lines()).noneMatch(line -> line.contains(WRONG_PASSWORD) || line.contains(PASSWORD));
        }
    }

    /** A secrets file as an operator would keep it, outside the configuration, readable by the job only. */
    private static Path secretsFile(String name, String password) throws IOException {
        return Files.writeString(dir.resolve(name + "-kafka-secrets.properties"), "password=" + password + "\n");
    }

    /** {@code kafka.properties} for SASL_SSL with the password behind a file provider placeholder. */
    private static Map<String, String> saslSsl(Path secrets) {
        return Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", caCertificate.toString(),
                "config.providers", "file",
                "config.providers.file.class", FileConfigProvider.class.getName(),
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"sluice\" password=\"${file:" + secrets + ":password}\";");
    }
}
