package dev.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.config.SluiceConfig;
import dev.sluice.launch.SluiceJobs;
import dev.sluice.routing.Catalog;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

/** Tests for the manifests in {@code deploy/kubernetes/}: structure, durable state, and arguments the CLI takes. */
class KubernetesManifestTest {

    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final List<JsonNode> DOCUMENTS = new ArrayList<>();

    @TempDir
    Path mounted;

    @BeforeAll
    static void read() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                DOCUMENTS.addAll(yaml.readValues(yaml.createParser(file.toFile()), JsonNode.class).readAll());
            }
        }
    }

    @Test
    void everyDocumentIsAKubernetesObject() {
        assertThat(DOCUMENTS).isNotEmpty().allSatisfy(document -> {
            assertThat(document.path("apiVersion").asText()).isNotBlank();
            assertThat(document.path("kind").asText()).isNotBlank();
            assertThat(document.at("/metadata/name").asText()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        });
        assertThat(DOCUMENTS).extracting(d -> d.at("/metadata/name").asText()).doesNotHaveDuplicates();
    }

    @Test
    void theDeploymentsTogetherRunBothJobsEachWithItsOwnDurableState() {
        List<JsonNode> deployments = flinkDeployments();
        assertThat(deployments).extracting(d -> parse(d).subcommand().matchedOptionValue("--job", null).toString())
                .containsExactlyInAnyOrder("pipeline", "summary");
        List<String> stateDirs = new ArrayList<>();
        for (JsonNode deployment : deployments) {
            JsonNode spec = deployment.path("spec");
            assertThat(deployment.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
            assertThat(spec.path("image").asText()).isNotBlank();
            assertThat(spec.path("flinkVersion").asText()).matches("v2_\\d+");
            assertThat(spec.path("serviceAccount").asText()).isNotBlank();
            for (String process : List.of("jobManager", "taskManager")) {
                assertThat(spec.at("/" + process + "/resource/memory").asText()).as(process).matches("\\d+[mg]");
                assertThat(spec.at("/" + process + "/resource/cpu").asDouble()).as(process).isPositive();
            }
            assertThat(spec.at("/job/jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/sluice-job.jar");
            assertThat(spec.at("/job/entryClass").asText()).isEqualTo(SluiceJobs.class.getName());
            assertThat(spec.at("/job/upgradeMode").asText()).isIn("savepoint", "last-state");
            assertThat(spec.at("/job/state").asText()).isEqualTo("running");

            JsonNode flink = spec.path("flinkConfiguration");
            assertThat(flink.path("high-availability.type").asText()).isEqualTo("kubernetes");
            assertThat(flink.path("metrics.reporter.prom.factory.class").asText())
                    .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            for (String key : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir",
                    "high-availability.storageDir")) {
                String dir = flink.path(key).asText();
                assertThat(durable(dir)).as("%s of %s: %s", key, deployment.at("/metadata/name"), dir).isTrue();
                stateDirs.add(dir);
            }
        }
        assertThat(stateDirs).as("no two jobs share a state directory").doesNotHaveDuplicates();
    }

    @Test
    void aLocalStateDirectoryIsRefused() {
        assertThat(durable("s3://bucket/checkpoints")).isTrue();
        assertThat(durable("file:///flink-data/checkpoints")).isFalse();
        assertThat(durable("/tmp/checkpoints")).isFalse();
        assertThat(durable("")).isFalse();
    }

    @Test
    void theConfigPathIsInTheMountedConfigMapAndItsFilesLoadWithTheRealLoaders() throws IOException {
        for (JsonNode deployment : flinkDeployments()) {
            Path config = Path.of(parse(deployment).subcommand().matchedOptionValue("--config", (Path) null)
                    .toString());
            JsonNode configMap = mountedConfigMap(deployment, config.getParent().toString());
            JsonNode data = configMap.path("data");
            assertThat(data.has(config.getFileName().toString())).as("the ConfigMap holds %s", config).isTrue();

            Path file = mounted.resolve(config.getFileName().toString());
            Files.writeString(file, data.path(config.getFileName().toString()).asText());
            SluiceConfig settings = SluiceConfig.load(file, Map.of());
            assertThat(settings.job().instanceId()).as("run refuses to build the jobs without one").isNotNull();
            Path catalog = settings.catalogPath(file);
            assertThat(catalog.getParent()).as("the catalog is mounted beside the config").isEqualTo(file.getParent());
            String catalogKey = catalog.getFileName().toString();
            assertThat(data.has(catalogKey)).as("the ConfigMap holds %s", catalogKey).isTrue();
            Files.writeString(catalog, data.path(catalogKey).asText());
            assertThat(Catalog.load(catalog).deployed()).isNotEmpty();

            // The operator's parallelism sizes the TaskManagers; the job sets its own from sluice.yaml.
            String job = parse(deployment).subcommand().matchedOptionValue("--job", null).toString();
            int parallelism = job.equals("pipeline") ? settings.job().parallelism() : settings.summary().parallelism();
            assertThat(deployment.at("/spec/job/parallelism").asInt()).as(job).isEqualTo(parallelism);
        }
    }

    /** The job's arguments as the job jar's entry point parses them: the {@code run} subcommand. */
    private static ParseResult parse(JsonNode deployment) {
        List<String> args = new ArrayList<>();
        deployment.at("/spec/job/args").forEach(arg -> args.add(arg.asText()));
        ParseResult result = SluiceJobs.commandLine().parseArgs(args.toArray(String[]::new));
        assertThat(result.subcommand()).as("a subcommand in %s", args).isNotNull();
        assertThat(result.subcommand().commandSpec().name()).isEqualTo("run");
        return result;
    }

    /** The ConfigMap document mounted at {@code mountPath} in the main container of {@code deployment}. */
    private static JsonNode mountedConfigMap(JsonNode deployment, String mountPath) {
        JsonNode pod = deployment.at("/spec/podTemplate/spec");
        String volume = null;
        for (JsonNode container : pod.path("containers")) {
            if (container.path("name").asText().equals("flink-main-container")) {
                for (JsonNode mount : container.path("volumeMounts")) {
                    if (mount.path("mountPath").asText().equals(mountPath)) {
                        volume = mount.path("name").asText();
                    }
                }
            }
        }
        assertThat(volume).as("a volume mounted at %s", mountPath).isNotNull();
        String configMap = null;
        for (JsonNode candidate : pod.path("volumes")) {
            if (candidate.path("name").asText().equals(volume)) {
                configMap = candidate.at("/configMap/name").asText(null);
            }
        }
        assertThat(configMap).as("volume %s is a ConfigMap", volume).isNotNull();
        String name = configMap;
        return DOCUMENTS.stream()
                .filter(d -> d.path("kind").asText().equals("ConfigMap") && d.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in " + DIR));
    }

    private static List<JsonNode> flinkDeployments() {
        return DOCUMENTS.stream().filter(d -> d.path("kind").asText().equals("FlinkDeployment")).toList();
    }

    /** A location every JobManager and TaskManager pod reaches and that outlives them: a remote filesystem. */
    private static boolean durable(String dir) {
        String scheme = dir.isBlank() ? null : URI.create(dir).getScheme();
        return scheme != null && !scheme.equals("file");
    }
}
