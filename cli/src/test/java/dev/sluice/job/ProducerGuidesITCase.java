package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.SchemaRegistrySettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.registry.ApicurioRegistry;
import dev.sluice.registry.SchemaRegistryClient;
import dev.sluice.schema.Completion;
import dev.sluice.serde.SingleObjectEncoding;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer guides in {@code docs/producers}, run as a reader runs them (the files themselves, as child
 * processes) against a real broker and the whole pipeline: every request id a guide sends comes back as exactly one
 * completion, read both by the guide's Python consumer ({@code read_committed}) and by {@link OutputCollector}. The
 * Python Avro producer runs once with {@code PromptRequest} v2, the schema before the bulk fields, and once with the
 * current one, so a producer built against the earlier schema is shown to be served unchanged.
 *
 * <p>Needs {@code kcat} on the PATH and a Python that imports {@code confluent_kafka} and {@code avro}
 * ({@code SLUICE_PYTHON}, else {@code python3}, else {@code /usr/bin/python3}): skipped without them, failed without
 * them under CI ({@code CI=true}), whose {@code .ci/run} installs them.
 */
class ProducerGuidesITCase {

    private static final String PACKAGES = "kcat python3-confluent-kafka python3-requests python3-avro";
    private static final String TENANT = "acme";
    private static final Duration PRODUCER_TIMEOUT = Duration.ofSeconds(60);
    /** The Java guide is compiled from source by the launcher before it runs. */
    private static final Duration JAVA_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = repositoryRoot();
    private static final Path GUIDES = ROOT.resolve("docs/producers");
    private static final Path HISTORY = ROOT.resolve("schemas/src/main/history");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    static Path logs;

    private static String python;
    /** What this machine lacks to run the guides, or null. */
    private static String missing;
    private static PipelineTestEnv env;

    @BeforeAll
    static void start() throws Exception {
        python = findPython();
        if (python == null || !onPath("kcat")) {
            missing = "the producer guides need kcat on the PATH and a Python that imports confluent_kafka (with its schema registry client) and avro "
                    + "(tried $SLUICE_PYTHON, python3, /usr/bin/python3); found Python: " + python + ", kcat: "
                    + onPath("kcat");
            if ("true".equals(System.getenv("CI"))) {
                fail(missing + ". .ci/run must install them: apt-get install -y " + PACKAGES);
            }
            return;
        }
        System.out.println("ProducerGuidesITCase: Python " + python + ", kcat on the PATH");
        env = new PipelineTestEnv("guides");
    }

    @AfterAll
    static void stop() {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void everyRequestIdAGuideSendsHasExactlyOneCompletion() throws Exception {
        // Here rather than in start(), so that the report counts the test as skipped, with the reason.
        Assumptions.assumeTrue(missing == null, () -> missing + ". Install them to run this test: apt-get install "
                + PACKAGES);
        String bootstrap = env.config.kafka().bootstrapServers();
        String prompts = env.config.kafka().topics().prompts();
        Path v2 = HISTORY.resolve("PromptRequest/v2.avsc");
        Path current = latestVersion(HISTORY.resolve("PromptRequest"));
        assertThat(fingerprint(v2)).as("v2 is another writer schema than the current one")
                .isNotEqualTo(fingerprint(current));
        List<String> sent = new ArrayList<>();
        // Each Avro request id and the fingerprint its record's header must carry: the schema file it was given.
        Map<String, Long> avroFingerprints = new HashMap<>();

        JobClient job = env.startPipeline();
        try {
            List<String> ids = ids("py-json", sent);
            run("produce_json.py", PRODUCER_TIMEOUT, python, guide("python/produce_json.py"), bootstrap, prompts,
                    TENANT, ids);
            for (Path schema : List.of(v2, current)) {
                ids = ids("py-avro-" + schema.getFileName().toString().replace(".avsc", ""), sent);
                run("produce_avro.py-" + schema.getFileName(), PRODUCER_TIMEOUT, python,
                        guide("python/produce_avro.py"), bootstrap, prompts, TENANT, schema.toString(), ids);
                long expected = fingerprint(schema);
                ids.forEach(id -> avroFingerprints.put(id, expected));
            }
            ids = ids("kcat", sent);
            run("produce_json.sh", PRODUCER_TIMEOUT, "sh", guide("kcat/produce_json.sh"), bootstrap, prompts, TENANT,
                    ids);
            ids = ids("java", sent);
            run("ProducePrompts.java", JAVA_TIMEOUT, javaWithTestClasspath(), guide("java/ProducePrompts.java"),
                    bootstrap, prompts, TENANT, current.toString(), ids);
            ids.forEach(id -> avroFingerprints.put(id, fingerprint(current)));

            assertThat(promptFingerprints(prompts, avroFingerprints.keySet())).as("writer schema of each Avro prompt")
                    .isEqualTo(avroFingerprints);
            try (OutputCollector output = new OutputCollector(env.config.kafka())) {
                boolean done = output.collectUntil(() -> completedIds(output).containsAll(sent),
                        Duration.ofSeconds(90));
                // A few more checkpoints: a completion committed twice would show up now.
                output.drain(Duration.ofSeconds(3));
                String consumed = run("consume_completions.py", PRODUCER_TIMEOUT, python,
                        guide("python/consume_completions.py"), bootstrap, env.config.kafka().topics().completions(),
                        TENANT, HISTORY.resolve("Completion").toString(), List.of("--exit-at-end"));

                assertThat(done).as("completions for %s arrived; got %s, rejects %s", sent, completedIds(output),
                        output.rejects().stream().map(r -> r.getReason() + " " + r.getRequestId()).toList()).isTrue();
                assertThat(completedIds(output)).as("OutputCollector").containsExactlyInAnyOrderElementsOf(sent);
                assertThat(output.completions()).allSatisfy(c -> assertThat(c.getTenant()).isEqualTo(TENANT));
                assertThat(output.rejects()).isEmpty();
                Map<String, String> texts = output.completions().stream()
                        .collect(Collectors.toMap(Completion::getRequestId, Completion::getText));
                List<String[]> lines = consumed.lines().map(line -> line.split("\t", 2)).toList();
                assertThat(lines).as("consume_completions.py").extracting(line -> line[0])
                        .containsExactlyInAnyOrderElementsOf(sent);
                // Decoded from the same records, the guide's consumer sees the same text for each id.
                for (String[] line : lines) {
                    assertThat(JSON.readValue("\"" + line[1] + "\"", String.class)).as("text of %s", line[0])
                            .isEqualTo(texts.get(line[0]));
                }
            }
        } finally {
            job.cancel().get();
        }
    }

    /**
     * The registry guide: the Python producer registers {@code PromptRequest} v2 with a real registry (Apicurio, basic
     * authentication) through confluent-kafka's client and frames its records with the id; the pipeline writes its
     * completions in the registry's framing; the Python consumer reads them with the schema their id names.
     */
    @Test
    void theRegistryGuideRoundTripsThroughTheRegistry() throws Exception {
        Assumptions.assumeTrue(missing == null, () -> missing + ". Install them to run this test: apt-get install "
                + PACKAGES);
        try (ApicurioRegistry registry = ApicurioRegistry.start("guides", Map.of("guide", "guide-secret"));
                PipelineTestEnv framed = new PipelineTestEnv("guides-registry")) {
            Map<String, String> credentials = Map.of("REGISTRY_USER_INFO", "guide:guide-secret");
            SchemaRegistrySettings settings = new SchemaRegistrySettings(registry.ccompatUrl(),
                    credentials.get("REGISTRY_USER_INFO"), null, null, null, null, null);
            SluiceConfig config = framed.registryOutputs(settings);
            String bootstrap = config.kafka().bootstrapServers();
            List<String> sent = ids("py-registry", new ArrayList<>());

            JobClient job = framed.startPipeline(config);
            try {
                run("produce_registry_avro.py", PRODUCER_TIMEOUT, credentials, python,
                        guide("python/produce_registry_avro.py"), bootstrap, config.kafka().topics().prompts(), TENANT,
                        registry.ccompatUrl(), HISTORY.resolve("PromptRequest/v2.avsc").toString(), sent);
                Map<String, List<GenericRecord>> completions = FramedCompletions.read(config,
                        new SchemaRegistryClient(settings.toClientSettings()), sent.size(), Duration.ofSeconds(90));
                String consumed = run("consume_completions.py-registry", PRODUCER_TIMEOUT, credentials, python,
                        guide("python/consume_completions.py"), bootstrap, config.kafka().topics().completions(),
                        TENANT, HISTORY.resolve("Completion").toString(),
                        List.of("--exit-at-end", "--registry", registry.ccompatUrl()));

                assertThat(completions).as("read by the registry's schemas in Java").containsOnlyKeys(sent);
                completions.forEach((id, each) -> assertThat(each).as(id).hasSize(1));
                assertThat(consumed.lines().map(line -> line.split("\t", 2)[0]))
                        .as("consume_completions.py --registry").containsExactlyInAnyOrderElementsOf(sent);
            } finally {
                job.cancel().get();
            }
        }
    }

    /** Two request ids named after {@code producer}, added to {@code sent}. */
    private static List<String> ids(String producer, List<String> sent) {
        List<String> ids = List.of(producer + "-1", producer + "-2");
        sent.addAll(ids);
        return ids;
    }

    private static List<String> completedIds(OutputCollector output) {
        return output.completions().stream().map(Completion::getRequestId).toList();
    }

    /**
     * Runs {@code command} (strings, or lists of them spliced in) in the repository root and returns its standard
     * output, once it exited 0 within {@code timeout}; the process and its children are destroyed in any case.
     */
    private static String run(String name, Duration timeout, Object... command) throws Exception {
        return run(name, timeout, Map.of(), command);
    }

    /** As {@link #run(String, Duration, Object...)}, with {@code environment} added to the process's. */
    private static String run(String name, Duration timeout, Map<String, String> environment, Object... command)
            throws Exception {
        List<String> arguments = new ArrayList<>();
        for (Object argument : command) {
            if (argument instanceof List<?> list) {
                list.forEach(a -> arguments.add(a.toString()));
            } else {
                arguments.add(argument.toString());
            }
        }
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(arguments).directory(ROOT.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // Read back as UTF-8; and no __pycache__ left in docs/producers by the import of single_object.
        builder.environment().put("PYTHONIOENCODING", "utf-8");
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(exited).as("%s finished within %s; stderr: %s", name, timeout, Files.readString(err)).isTrue();
            assertThat(process.exitValue()).as("%s exit code; stderr: %s", name, Files.readString(err)).isZero();
            return Files.readString(out);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** {@code java @argfile}, the argfile naming this test's classpath, which holds kafka-clients and Avro. */
    private static List<String> javaWithTestClasspath() throws IOException {
        Path argfile = logs.resolve("classpath.args");
        Files.writeString(argfile, "-cp \"" + System.getProperty("java.class.path") + "\"\n");
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + argfile);
    }

    /** The fingerprint in the single-object header of each prompt of {@code ids}, as the broker holds it. */
    private static Map<String, Long> promptFingerprints(String topic, Set<String> ids) {
        Map<String, Long> seen = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(env.config.kafka().clientProperties(),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!seen.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    // The guides key each prompt tenant/request_id.
                    String id = record.key().substring(record.key().indexOf('/') + 1);
                    if (ids.contains(id)) {
                        seen.put(id, SingleObjectEncoding.fingerprint(record.value()).orElse(0));
                    }
                }
            }
        }
        return seen;
    }

    private static long fingerprint(Path schemaFile) {
        try {
            return SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(schemaFile.toFile()));
        } catch (IOException e) {
            throw new IllegalStateException("unreadable schema " + schemaFile, e);
        }
    }

    /** The highest {@code v<N>.avsc} in {@code record}'s history: the current schema, self-contained. */
    private static Path latestVersion(Path record) throws IOException {
        try (Stream<Path> files = Files.list(record)) {
            return files.filter(f -> f.getFileName().toString().matches("v\\d+\\.avsc"))
                    .max(Comparator.comparingInt(ProducerGuidesITCase::version))
                    .orElseThrow();
        }
    }

    private static int version(Path schemaFile) {
        return Integer.parseInt(schemaFile.getFileName().toString().replaceAll("\\D", ""));
    }

    private static String guide(String file) {
        return GUIDES.resolve(file).toString();
    }

    /** The first of $SLUICE_PYTHON, python3, /usr/bin/python3 that imports confluent_kafka, its schema registry client and avro; null if none. */
    private static String findPython() throws InterruptedException {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("SLUICE_PYTHON");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        candidates.addAll(List.of("python3", "/usr/bin/python3"));
        for (String candidate : candidates) {
            Process process = null;
            try {
                process = new ProcessBuilder(candidate, "-c",
                        "import confluent_kafka, confluent_kafka.schema_registry, avro")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException notThere) {
                // Not installed under that name: try the next.
            } finally {
                if (process != null) {
                    process.destroyForcibly();
                }
            }
        }
        return null;
    }

    private static boolean onPath(String command) {
        return Stream.of(Objects.requireNonNullElse(System.getenv("PATH"), "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty()).anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    /** The directory above the test's working directory (the module) that holds {@code docs/producers}. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs/producers"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docs/producers above " + Path.of("").toAbsolutePath());
    }
}
