package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schema.Completion;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.Reject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link SluiceConfig}. */
class SluiceConfigTest {

    @TempDir
    Path dir;

    @Test
    void theShippedConfigurationLoads() {
        SluiceConfig config = SluiceConfig.load(Path.of("..", "config", "sluice.yaml"));

        assertThat(config.kafka().topics().prompts()).isEqualTo("sluice.prompts");
        assertThat(config.summary()).isEqualTo(SummarySettings.ofDefaults());
        assertThat(config.kafka().transactionTimeout()).isLessThanOrEqualTo(Duration.ofMinutes(15));
        assertThat(config.job().instanceId()).as("the jobs refuse to start without one").isNotNull();
        assertThat(config.catalogPath(Path.of("..", "config", "sluice.yaml")))
                .isEqualTo(Path.of("..", "config", "catalog.yaml").toAbsolutePath());
    }

    @Test
    void absentSectionsTakeTheirDefaults() throws IOException {
        SluiceConfig config = SluiceConfig.load(write("kafka:\n  bootstrap-servers: broker:9092\n"));

        assertThat(config.job().parallelism()).isEqualTo(2);
        assertThat(config.summary().window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.summary().parallelism()).isEqualTo(1);
        assertThat(config.job().maxInFlight()).isEqualTo(64);
        assertThat(config.job().instanceId()).isNull();
        assertThat(config.job().checkpointTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.job().unalignedCheckpoints()).isTrue();
        assertThat(config.job().alignedCheckpointTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.job().maxDowntime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.kafka().outputFormat()).isEqualTo("avro");
        assertThat(config.limits().toIntakeLimits().defaultMaxTokens()).isEqualTo(256);
        assertThat(config.limits().dedupeWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.metrics().prometheusPort()).isZero();
    }

    @Test
    void theDedupeWindowIsADurationAndZeroKeepsTheDefault() throws IOException {
        String kafka = "kafka:\n  bootstrap-servers: broker:9092\n";

        assertThat(SluiceConfig.load(write(kafka + "limits:\n  dedupe-window: PT30S\n")).limits().dedupeWindow())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(SluiceConfig.load(write(kafka + "limits:\n  dedupe-window: PT0S\n")).limits().dedupeWindow())
                .isEqualTo(LimitSettings.DEFAULT_DEDUPE_WINDOW);
    }

    @Test
    void theJobsCheckpointingAndInstanceIdAreReadAndChecked() throws IOException {
        String kafka = "kafka:\n  bootstrap-servers: broker:9092\n";
        Path file = write(kafka + "job:\n  instance-id: blue-1\n  checkpoint-timeout: PT90S\n"
                + "  unaligned-checkpoints: false\n  aligned-checkpoint-timeout: PT7S\n  max-downtime: PT3M\n");

        JobSettings job = SluiceConfig.load(file, Map.of()).job();
        assertThat(job.instanceId()).isEqualTo("blue-1");
        assertThat(job.checkpointTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(job.unalignedCheckpoints()).isFalse();
        assertThat(job.alignedCheckpointTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(job.maxDowntime()).isEqualTo(Duration.ofMinutes(3));
        assertThat(SluiceConfig.load(file, Map.of("SLUICE_JOB_INSTANCE_ID", "green")).job().instanceId())
                .isEqualTo("green");
        // A dot would let one deployment's transactional ids begin with another's.
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_JOB_INSTANCE_ID", "blue.green")))
                .hasMessageContaining("job.instance-id").hasMessageContaining("'blue.green'");
        assertThatThrownBy(() -> SluiceConfig.load(write(kafka + "job:\n  checkpoint-timeout: PT5S\n")))
                .hasMessageContaining("job.aligned-checkpoint-timeout (PT5S) must be shorter than "
                        + "job.checkpoint-timeout (PT5S)");
    }

    @Test
    void outputSchemaVersionsArePinnedPerRecordAndCheckedAgainstTheHistory() throws IOException {
        String kafka = "kafka:\n  bootstrap-servers: broker:9092\n  output-schema-versions: ";

        KafkaSettings pinned = SluiceConfig.load(write(kafka + "{Completion: 1, Reject: 2}\n")).kafka();
        assertThat(pinned.outputSchemaVersion(Completion.getClassSchema())).isEqualTo(1);
        assertThat(pinned.outputSchemaVersion(Reject.getClassSchema())).isEqualTo(2);
        assertThat(pinned.outputSchemaVersion(InferenceMetric.getClassSchema())).as("the current one").isZero();
        assertThatThrownBy(() -> SluiceConfig.load(write(kafka + "{PromptRequest: 1}\n")))
                .hasMessageContaining("kafka.output-schema-versions.PromptRequest: not an output record");
        assertThatThrownBy(() -> SluiceConfig.load(write(kafka + "{Reject: 1}\n")))
                .hasMessageContaining("kafka.output-schema-versions.Reject: Reject version 1 cannot hold every");
        assertThatThrownBy(() -> SluiceConfig.load(write(kafka + "{Completion: 6}\n")))
                .hasMessageContaining("Completion has schema versions 1 to 5, not 6");
    }

    @Test
    void aTransactionTimeoutAmongTheKafkaPropertiesIsRefusedForTheKey() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: broker:9092\n  properties: {transaction.timeout.ms: 60000}\n");

        assertThatThrownBy(() -> SluiceConfig.load(file))
                .hasMessageContaining("kafka.properties.transaction.timeout.ms is not used")
                .hasMessageContaining("kafka.transaction-timeout (PT10M now)");
    }

    @Test
    void thePrometheusPortIsReadAndChecked() throws IOException {
        String kafka = "kafka:\n  bootstrap-servers: broker:9092\n";

        assertThat(SluiceConfig.load(write(kafka + "metrics:\n  prometheus-port: 9249\n")).metrics().prometheusPort())
                .isEqualTo(9249);
        assertThatThrownBy(() -> SluiceConfig.load(write(kafka + "metrics:\n  prometheus-port: 70000\n")))
                .hasMessageContaining("metrics.prometheus-port");
    }

    @Test
    void tenancyTopicGivesEachTenantItsOwnTopicsAndRecordSharesThem() throws IOException {
        String kafka = "kafka:\n  bootstrap-servers: broker:9092\n  topic-prefix: s\n";

        Topics shared = SluiceConfig.load(write(kafka)).kafka().topics();
        assertThat(shared.tenancy()).isEqualTo(Tenancy.record);
        assertThat(shared.of("acme").prompts()).isEqualTo("s.prompts");
        assertThat(shared.tenantOf("s.prompts.acme")).isEmpty();

        Topics own = SluiceConfig.load(write(kafka + "  tenancy: topic\n")).kafka().topics();
        assertThat(own.of("acme").all()).containsExactly("s.prompts.acme", "s.completions.acme", "s.metrics.acme",
                "s.rejects.acme", "s.runs.acme", "s.runs.commands.acme");
        assertThat(own.tenantOf("s.prompts.acme")).contains("acme");
        assertThat(own.tenantOf("s.runs.commands.acme")).contains("acme");
        assertThat(own.tenantPrompts().matcher("s.prompts.acme-retail").matches()).isTrue();
        // Neither another prefix, nor a name with a dot, nor one that would be a shared topic names a tenant.
        assertThat(own.tenantPrompts().matcher("sx.prompts.acme").matches()).isFalse();
        assertThat(own.tenantPrompts().matcher("s.prompts.a.b").matches()).isFalse();
        assertThat(own.tenantMetrics().matcher("s.metrics.summary").matches()).isFalse();
        assertThat(own.tenantRunCommands().matcher("s.runs.commands.commands").matches()).isFalse();
        assertThatThrownBy(() -> own.of("Acme")).hasMessageContaining("cannot name topics");
        assertThatThrownBy(() -> own.of("t".repeat(65))).hasMessageContaining("cannot name topics");
        assertThatThrownBy(() -> SluiceConfig.load(write(kafka + "  tenancy: topics\n")))
                .hasMessageContaining("tenancy");
    }

    @Test
    void anUnknownKeyIsReportedWithItsPath() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: broker:9092\njob:\n  paralelism: 4\n");

        assertThatThrownBy(() -> SluiceConfig.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job.paralelism")
                .hasMessageContaining("Unrecognized field")
                .hasMessageContaining("line");
    }

    @Test
    void kafkaClientsGetTheBootstrapServersAndTheSecretPlaceholdersAsWritten() throws IOException {
        SluiceConfig config = SluiceConfig.load(write("""
                kafka:
                  bootstrap-servers: broker:9093
                  properties:
                    security.protocol: SASL_SSL
                    config.providers: env
                    config.providers.env.class: org.apache.kafka.common.config.provider.EnvVarConfigProvider
                    sasl.jaas.config: >-
                      org.apache.kafka.common.security.plain.PlainLoginModule required
                      username="sluice" password="${env:SLUICE_SECRET_KAFKA_PASSWORD}";
                """));

        assertThat(config.kafka().clientProperties())
                .containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"sluice\" password=\"${env:SLUICE_SECRET_KAFKA_PASSWORD}\";");
    }

    @Test
    void environmentVariablesOverrideKeysTypedByTheRecords() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: broker:9092\n  properties: {client.id: sluice}\n"
                + "job:\n  parallelism: 2\n");

        SluiceConfig config = SluiceConfig.load(file, Map.of(
                "SLUICE_KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9093,kafka-1:9093",
                "SLUICE_JOB_PARALLELISM", "8",
                "SLUICE_JOB_CHECKPOINT_INTERVAL", "PT30S",
                "SLUICE_GATEWAY_PREFIX_GROUPING", "false",
                "SLUICE_GATEWAY_RESILIENCE_MAX_ATTEMPTS", "1",
                "SLUICE_KAFKA_PROPERTIES", "{security.protocol: SASL_SSL, sasl.mechanism: SCRAM-SHA-256}",
                "SLUICE_CATALOG", "/etc/sluice/catalog.yaml"));

        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka-0:9093,kafka-1:9093");
        assertThat(config.job().parallelism()).isEqualTo(8);
        assertThat(config.job().checkpointInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.gateway().toOptions().prefixGrouping()).isFalse();
        assertThat(config.gateway().toOptions().resilience().maxAttempts()).isEqualTo(1);
        // Merged over the file's entries.
        assertThat(config.kafka().properties()).containsExactlyInAnyOrderEntriesOf(Map.of("client.id", "sluice",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-256"));
        assertThat(config.catalogPath(file)).isEqualTo(Path.of("/etc/sluice/catalog.yaml"));
    }

    @Test
    void theControlPlaneKeyIsBesideTheFileAndItsAllowlistCanBeOverridden() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: broker:9092\ncontrol-plane:\n"
                + "  public-key: keys/catalog-signing.pub\n  allowed-endpoints: [triton-b:8001]\n");

        SluiceConfig config = SluiceConfig.load(file, Map.of());
        SluiceConfig overridden = SluiceConfig.load(file,
                Map.of("SLUICE_CONTROL_PLANE_ALLOWED_ENDPOINTS", "[triton-c:8001, triton-d:8001]"));

        assertThat(config.catalogPublicKeyPath(file))
                .hasValue(file.toAbsolutePath().getParent().resolve("keys/catalog-signing.pub"));
        assertThat(config.controlPlane().allowedEndpoints()).containsExactly("triton-b:8001");
        assertThat(overridden.controlPlane().allowedEndpoints()).containsExactly("triton-c:8001", "triton-d:8001");
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_CONTROL_PLANE_ALLOWED_ENDPOINTS", "x:1")))
                .hasMessageContaining("SLUICE_CONTROL_PLANE_ALLOWED_ENDPOINTS").hasMessageContaining("takes a list");
        // Without the section the catalog topic is off.
        assertThat(SluiceConfig.load(write("kafka:\n  bootstrap-servers: broker:9092\n"), Map.of())
                .catalogPublicKeyPath(file)).isEmpty();
    }

    @Test
    void theServesS3ServiceIsReadOverriddenAndChecked() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: broker:9092\nserve:\n  files: s3://batches/sluice\n"
                + "  s3: {endpoint: http://minio:9000, path-style: true}\n");

        ServeSettings serve = SluiceConfig.load(file, Map.of("SLUICE_SERVE_S3_REGION", "eu-central-1")).serve();

        assertThat(serve.files()).isEqualTo("s3://batches/sluice");
        assertThat(serve.s3()).isEqualTo(new ServeSettings.S3("http://minio:9000", "eu-central-1", true));
        assertThat(SluiceConfig.load(write("kafka:\n  bootstrap-servers: broker:9092\n"), Map.of()).serve().s3())
                .isEqualTo(new ServeSettings.S3(null, null, false));
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_SERVE_S3_ENDPOINT", "minio:9000")))
                .hasMessageContaining("serve.s3.endpoint");
    }

    @Test
    void anOverrideCanSupplyAKeyTheFileLeavesOut() throws IOException {
        Path file = write("job:\n  parallelism: 3\n");

        assertThat(SluiceConfig.load(file, Map.of("SLUICE_KAFKA_BOOTSTRAP_SERVERS", "broker:9092")).kafka()
                .bootstrapServers()).isEqualTo("broker:9092");
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of())).hasMessageContaining("kafka");
    }

    @Test
    void aMisspeltOverrideIsRefusedAndOtherSluiceVariablesAreLeftAlone() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: broker:9092\n");

        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_JOB_PARALELISM", "4")))
                .hasMessageContaining("SLUICE_JOB_PARALELISM names no key")
                .hasMessageContaining("SLUICE_JOB_PARALLELISM");
        assertThat(SluiceConfig.load(file, Map.of("SLUICE_HOME", "/opt/sluice", "SLUICE_JAVA_OPTS", "-Xmx1g",
                "SLUICE_LOG_LEVEL", "INFO", "SLUICE_SECRET_KAFKA_PASSWORD", "s3cret", "PATH", "/bin")))
                .isEqualTo(SluiceConfig.load(file, Map.of()));
    }

    @Test
    void aBadOverrideValueNamesTheVariable() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: broker:9092\n");

        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_JOB_PARALLELISM", "many")))
                .hasMessageContaining("SLUICE_JOB_PARALLELISM").hasMessageContaining("job.parallelism");
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_SUMMARY_WINDOW", "1 minute")))
                .hasMessageContaining("SLUICE_SUMMARY_WINDOW");
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_KAFKA_PROPERTIES", "security.protocol")))
                .hasMessageContaining("SLUICE_KAFKA_PROPERTIES").hasMessageContaining("takes a mapping");
        // Valid as an int, refused by the record: the message names the variable that set it.
        assertThatThrownBy(() -> SluiceConfig.load(file, Map.of("SLUICE_JOB_PARALLELISM", "-1")))
                .hasMessageContaining("with SLUICE_JOB_PARALLELISM").hasMessageContaining("job.parallelism");
    }

    @Test
    void theOperatorsConfigurationTableListsEveryKeyOfTheRecords() throws IOException {
        String guide = Files.readString(Path.of("..", "docs", "operators.md"));
        String section = guide.substring(guide.indexOf("## Configuration"), guide.indexOf("### Kafka security"));
        Set<String> documented = new TreeSet<>();
        // A row's first cell names keys in full or, after a first full key, its siblings by their last part.
        for (String row : section.lines().filter(line -> line.startsWith("| `")).toList()) {
            String parent = "";
            for (String name : Pattern.compile("`([a-z0-9.-]+)`").matcher(row.split("\\|")[1]).results()
                    .map(match -> match.group(1)).toList()) {
                String key = name.contains(".") || parent.isEmpty() ? name : parent + name;
                documented.add(key);
                parent = key.contains(".") ? key.substring(0, key.lastIndexOf('.') + 1) : "";
            }
        }

        assertThat(documented).containsExactlyInAnyOrderElementsOf(EnvironmentOverrides.keys());
        assertThat(EnvironmentOverrides.keys()).contains("catalog", "kafka.properties", "limits.dedupe-window",
                "gateway.resilience.open-for", "summary.idle-timeout", "metrics.prometheus-port");
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
