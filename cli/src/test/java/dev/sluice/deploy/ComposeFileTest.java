package dev.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.cli.SluiceCli;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Topics;
import dev.sluice.launch.SluiceJobs;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * {@code docker-compose.yml} against what Sluice's compose configuration, its command line and the Prometheus and
 * Grafana files expect of it. No Docker engine is needed: the files are only read.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..");
    private static final Path CONFIG = ROOT.resolve("config/compose/sluice.yaml");
    private static final List<String> PROFILES = List.of("gpu", "emulated");
    /** Where the compose file mounts the command line's jar in every container that runs it. */
    private static final String JAR = "/opt/sluice/sluice.jar";
    /** Where it mounts the job jar in the Flink containers. */
    private static final String JOB_JAR = "/opt/sluice/sluice-job.jar";

    private static JsonNode services;
    private static SluiceConfig config;
    private static Catalog catalog;

    @BeforeAll
    static void load() throws IOException {
        // SnakeYAML, not Jackson's YAML parser: only it resolves the merge keys (<<: *flink) the file uses.
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
            Object compose = new org.yaml.snakeyaml.Yaml().load(reader);
            services = new ObjectMapper().valueToTree(compose).get("services");
        }
        config = SluiceConfig.load(CONFIG);
        catalog = Catalog.load(config.catalogPath(CONFIG));
    }

    @Test
    void everyImageIsPinnedToATag() {
        services.fields().forEachRemaining(service -> {
            String image = service.getValue().path("image").asText();
            assertThat(image).as(service.getKey()).matches("[^:@]+:[A-Za-z0-9_.-]+").doesNotEndWith(":latest");
        });
    }

    @Test
    void theBootstrapServerIsTheBrokersAdvertisedInternalListener() {
        JsonNode kafka = services.get(host(config.kafka().bootstrapServers()));
        assertThat(kafka).as("a service named as the bootstrap host").isNotNull();
        Map<String, String> advertised = listeners(kafka.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText());
        String listener = advertised.entrySet().stream()
                .filter(entry -> entry.getValue().equals(config.kafka().bootstrapServers()))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        Map<String, String> bound = listeners(kafka.path("environment").path("KAFKA_LISTENERS").asText());
        assertThat(port(bound.get(listener))).isEqualTo(port(config.kafka().bootstrapServers()));
    }

    @Test
    void everyDeploymentEndpointIsServedInBothProfiles() {
        List<String> endpoints = new ArrayList<>();
        for (CatalogModel model : catalog.deployed()) {
            endpoints.add(model.deployment().endpoint());
            endpoints.addAll(model.deployment().replicas());
        }
        assertThat(endpoints).isNotEmpty();
        for (String profile : PROFILES) {
            for (String endpoint : endpoints) {
                List<String> named = servicesNamed(host(endpoint), profile);
                assertThat(named).as("services answering to %s in profile %s", host(endpoint), profile).hasSize(1);
                JsonNode service = services.get(named.get(0));
                assertThat(grpcPort(service)).as("%s's gRPC port", named.get(0)).contains(port(endpoint));
                assertThat(exposed(service)).as("%s's exposed ports", named.get(0)).contains(port(endpoint));
            }
        }
    }

    @Test
    void theTopicsServiceCreatesThePipelinesTopics() {
        String script = String.join("\n", strings(services.get("topics").path("command")));
        Matcher topic = Pattern.compile("--topic (\\S+)").matcher(script);
        Set<String> created = new TreeSet<>();
        while (topic.find()) {
            created.add(topic.group(1));
        }
        Topics topics = new Topics(config.kafka().topicPrefix());
        assertThat(created).containsExactlyInAnyOrderElementsOf(topics.all());
        assertThat(script).contains("--topic " + topics.catalog() + " --config cleanup.policy=compact")
                .contains("--topic " + topics.runs() + " --config cleanup.policy=compact");
    }

    @Test
    void theMountedJarsAreTheShadedJars() throws IOException {
        String jobJar = shadedJar("flink-jobs");
        String cliJar = shadedJar("cli");
        for (String name : List.of("jobmanager", "taskmanager", "submit")) {
            assertThat(strings(services.get(name).path("volumes"))).as(name).contains(jobJar + ":" + JOB_JAR + ":ro");
        }
        for (String name : List.of("jobmanager", "taskmanager", "submit", "triton-emulator", "sglang-emulator")) {
            assertThat(strings(services.get(name).path("volumes"))).as(name).contains(cliJar + ":" + JAR + ":ro");
        }
    }

    @Test
    void submitRunsSluiceRunWithTheComposeConfiguration() {
        List<String> command = strings(services.get("submit").path("command"));
        assertThat(command.subList(0, 2)).containsExactly("flink", "run");
        ParseResult parsed = sluiceJobs(command);
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("run");
        Path configInContainer = parsed.subcommand().matchedOptionValue("--config", null);
        assertThat(hostPath(services.get("submit"), configInContainer.toString())).isEqualTo(CONFIG.normalize());
        assertThat(config.job().instanceId()).as("run refuses to build the jobs without one").isNotNull();
    }

    @Test
    void gpuServicesReserveGpusAndRunOnlyInTheGpuProfile() {
        Set<String> reserving = new TreeSet<>();
        Set<String> inGpuProfile = new TreeSet<>();
        services.fields().forEachRemaining(service -> {
            for (JsonNode device : service.getValue().path("deploy").path("resources").path("reservations")
                    .path("devices")) {
                if (device.path("driver").asText().equals("nvidia") && strings(device.path("capabilities")).contains("gpu")) {
                    reserving.add(service.getKey());
                }
            }
            if (strings(service.getValue().path("profiles")).equals(List.of("gpu"))) {
                inGpuProfile.add(service.getKey());
            }
        });
        assertThat(reserving).containsExactly("sglang", "triton").isEqualTo(inGpuProfile);
    }

    @Test
    void prometheusScrapesEveryMetricsPortThereIsInBothProfiles() throws IOException {
        JsonNode prometheus = new YAMLMapper().readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile());
        Set<String> targets = new TreeSet<>();
        prometheus.path("scrape_configs").findValues("targets").forEach(list -> targets.addAll(strings(list)));
        for (String profile : PROFILES) {
            Set<String> metricsEndpoints = new TreeSet<>();
            services.fields().forEachRemaining(service -> {
                if (runsIn(service.getValue(), profile)) {
                    metricsPort(service.getValue()).ifPresent(port -> {
                        assertThat(exposed(service.getValue())).as("%s exposes its metrics port", service.getKey())
                                .contains(port);
                        metricsEndpoints.add(answersTo(service.getKey(), service.getValue()) + ":" + port);
                    });
                }
            });
            assertThat(metricsEndpoints).contains("jobmanager:9249", "taskmanager:9249");
            assertThat(targets).as("the scrape targets against profile %s's metrics ports", profile)
                    .isEqualTo(metricsEndpoints);
        }
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusAndTheDashboard() throws IOException {
        JsonNode grafana = services.get("grafana");
        Path provisioning = hostPath(grafana, "/etc/grafana/provisioning/");
        JsonNode provider = new YAMLMapper().readTree(provisioning.resolve("dashboards/sluice.yaml").toFile());
        String dashboards = provider.path("providers").get(0).path("options").path("path").asText();
        Path dashboard = hostPath(grafana, dashboards + "/sluice-dashboard.json");
        assertThat(new ObjectMapper().readTree(dashboard.toFile()).path("uid").asText()).isEqualTo("sluice");

        JsonNode datasource = new YAMLMapper().readTree(provisioning.resolve("datasources/prometheus.yaml").toFile());
        String url = datasource.path("datasources").get(0).path("url").asText();
        assertThat(url).isEqualTo("http://prometheus:9090");
        assertThat(strings(services.get("prometheus").path("ports"))).contains("9090:9090");
    }

    @Test
    void everySampleTenantHasAPolicyAndAModel() throws IOException {
        Set<String> tenants = new HashSet<>();
        for (String line : Files.readAllLines(ROOT.resolve("config/samples/prompts.jsonl"))) {
            tenants.add(new ObjectMapper().readTree(line).path("tenant").asText());
        }
        assertThat(tenants).isNotEmpty().allSatisfy(tenant -> assertThat(catalog.policy(tenant)).isPresent());
        assertThat(catalog.deployed()).extracting(model -> model.deployment().backend())
                .contains("triton", "sglang-smg");
    }

    /** The services with {@code name} as their name or a network alias that run in {@code profile}. */
    private static List<String> servicesNamed(String name, String profile) {
        List<String> named = new ArrayList<>();
        services.fields().forEachRemaining(service -> {
            boolean runs = runsIn(service.getValue(), profile);
            boolean answers = service.getKey().equals(name)
                    || strings(service.getValue().path("networks").path("default").path("aliases")).contains(name);
            if (runs && answers) {
                named.add(service.getKey());
            }
        });
        return named;
    }

    /** Whether a service runs in {@code profile}: it names that profile, or none. */
    private static boolean runsIn(JsonNode service, String profile) {
        List<String> profiles = strings(service.path("profiles"));
        return profiles.isEmpty() || profiles.contains(profile);
    }

    /** The name a service is reached by: its network alias, as an emulator stands in for its server, or its own. */
    private static String answersTo(String name, JsonNode service) {
        List<String> aliases = strings(service.path("networks").path("default").path("aliases"));
        return aliases.isEmpty() ? name : aliases.get(0);
    }

    /** The gRPC port a server's command line sets: {@code sluice emulator --port}, or the servers' own flags. */
    private static Optional<Integer> grpcPort(JsonNode service) {
        List<String> command = strings(service.path("command"));
        if (command.contains(JAR)) {
            ParseResult emulator = sluice(command).subcommand();
            assertThat(emulator.matchedOptionValue("--host", "127.0.0.1")).isEqualTo("0.0.0.0");
            return Optional.of(emulator.matchedOptionValue("--port", 8001));
        }
        return flag(command, "--grpc-port").or(() -> flag(command, "--port"));
    }

    /** The port a service serves Prometheus metrics on, if it does. */
    private static Optional<Integer> metricsPort(JsonNode service) {
        List<String> command = strings(service.path("command"));
        Matcher reporter = Pattern.compile("(?m)^metrics\\.reporter\\.prom\\.port: (\\d+)$")
                .matcher(service.path("environment").path("FLINK_PROPERTIES").asText());
        if (List.of(List.of("jobmanager"), List.of("taskmanager")).contains(command) && reporter.find()) {
            return Optional.of(Integer.parseInt(reporter.group(1)));
        }
        if (command.contains("--smg-grpc-mode")) {
            return flag(command, "--port").map(port -> port + 1); // the HTTP sidecar's default port
        }
        return flag(command, "--metrics-port");
    }

    /** The value of {@code --name=N} or {@code --name N}. */
    private static Optional<Integer> flag(List<String> command, String name) {
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).startsWith(name + "=")) {
                return Optional.of(Integer.parseInt(command.get(i).substring(name.length() + 1)));
            }
            if (command.get(i).equals(name) && i + 1 < command.size()) {
                return Optional.of(Integer.parseInt(command.get(i + 1)));
            }
        }
        return Optional.empty();
    }

    /** The Sluice command line parsing the arguments that follow the jar. */
    /** {@code command}'s arguments after the command line's jar, as {@code sluice} parses them. */
    private static ParseResult sluice(List<String> command) {
        List<String> args = command.subList(command.indexOf(JAR) + 1, command.size());
        return new CommandLine(new SluiceCli()).parseArgs(args.toArray(String[]::new));
    }

    /** {@code command}'s arguments after the job jar, as its entry point parses them. */
    private static ParseResult sluiceJobs(List<String> command) {
        List<String> args = command.subList(command.indexOf(JOB_JAR) + 1, command.size());
        return SluiceJobs.commandLine().parseArgs(args.toArray(String[]::new));
    }

    /** The shaded jar {@code module}'s build writes, as the compose file names it. */
    private static String shadedJar(String module) throws IOException {
        Matcher outputFile = Pattern.compile("<outputFile>\\$\\{project.build.directory}/([^<]+)</outputFile>")
                .matcher(Files.readString(ROOT.resolve(module + "/pom.xml")));
        assertThat(outputFile.find()).as("%s's shaded jar", module).isTrue();
        return "./" + module + "/target/" + outputFile.group(1);
    }

    /** The host file behind a container path, through the service's bind mounts. */
    private static Path hostPath(JsonNode service, String containerPath) {
        for (String volume : strings(service.path("volumes"))) {
            String[] parts = volume.split(":");
            String target = parts[1].endsWith("/") ? parts[1] : parts[1] + "/";
            if (containerPath.equals(parts[1])) {
                return ROOT.resolve(parts[0]).normalize();
            }
            if (containerPath.startsWith(target)) {
                Path file = ROOT.resolve(parts[0]).resolve(containerPath.substring(target.length())).normalize();
                assertThat(file).exists();
                return file;
            }
        }
        throw new AssertionError(containerPath + " is not mounted from the host");
    }

    private static Set<Integer> exposed(JsonNode service) {
        return strings(service.path("expose")).stream().map(Integer::parseInt).collect(Collectors.toSet());
    }

    /** {@code NAME://host:port,...} as listener name to {@code host:port}. */
    private static Map<String, String> listeners(String spec) {
        return Pattern.compile(",").splitAsStream(spec).map(listener -> listener.split("://"))
                .collect(Collectors.toMap(parts -> parts[0], parts -> parts[1]));
    }

    private static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        node.forEach(value -> values.add(value.asText()));
        return values;
    }
}
