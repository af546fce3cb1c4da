package dev.sluice.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * A standalone Flink session cluster started as Flink's scripts start one, without flink-dist (which Maven Central
 * does not serve): a JobManager ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers
 * ({@code TaskManagerRunner}) of one slot each, each its own {@code java} process on the classpath the
 * {@code flink-cluster} module resolves from Flink's own artifacts, configured by a {@code config.yaml} written
 * here, with the JVM memory options Flink computes from the process sizes ({@code BashJavaUtils}, as
 * {@code bin/config.sh} does). Jobs are submitted with Flink's own client, {@code CliFrontend run -d}; the cluster
 * is watched through its REST API. Everything is on loopback, and every process is this test's own.
 */
final class StandaloneCluster implements AutoCloseable {

    /** Where the failsafe configuration of the cli module says the flink-cluster module wrote the classpath. */
    private static final String CLASSPATH_PROPERTY = "sluice.flink-cluster.classpath";
    /**
     * What flink-dist's {@code config.yaml} gives every Flink JVM on Java 17 ({@code env.java.opts.all}): without
     * them the client cannot even translate a DataStream program.
     */
    private static final List<String> JAVA_17_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    /** Small processes, a slot each; the job keeps its state on the heap, so no managed memory. */
    private static final Map<String, String> SIZES = Map.of(
            JobManagerOptions.TOTAL_PROCESS_MEMORY.key(), "800m",
            TaskManagerOptions.TOTAL_PROCESS_MEMORY.key(), "1024m",
            TaskManagerOptions.MANAGED_MEMORY_SIZE.key(), "0m",
            TaskManagerOptions.NUM_TASK_SLOTS.key(), "1");
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    /** Starting and stopping JVMs on a busy two-core machine is slow: generous, but bounded. */
    private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** What the REST API answers while the JobManager is still electing its leader. */
    private static final int UNAVAILABLE = 503;

    private final Path dir;
    private final Path conf;
    private final String classpath;
    private final URI rest;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final List<JavaProcess> processes = new ArrayList<>();
    private final Map<String, JavaProcess> taskManagers = new LinkedHashMap<>();

    private StandaloneCluster(Path dir, Path conf, String classpath, int restPort) {
        this.dir = dir;
        this.conf = conf;
        this.classpath = classpath;
        this.rest = URI.create("http://localhost:" + restPort);
    }

    /**
     * Starts a JobManager and {@code taskManagers} TaskManagers, called {@code tm-1}, {@code tm-2}…, configured
     * with {@code options} over the addresses and sizes set here, and returns once all have registered.
     */
    static StandaloneCluster start(Path dir, int taskManagers, Map<String, String> options) throws Exception {
        String classpathFile = System.getProperty(CLASSPATH_PROPERTY);
        if (classpathFile == null || !Files.isRegularFile(Path.of(classpathFile))) {
            throw new IllegalStateException("no cluster classpath at " + CLASSPATH_PROPERTY + "=" + classpathFile
                    + ": run with Maven's failsafe, from the root or with -am, so that flink-cluster writes it");
        }
        int restPort = freePort();
        Map<String, String> config = new LinkedHashMap<>(SIZES);
        for (ConfigOption<String> host : List.of(JobManagerOptions.ADDRESS, JobManagerOptions.BIND_HOST,
                TaskManagerOptions.HOST, TaskManagerOptions.BIND_HOST, RestOptions.ADDRESS, RestOptions.BIND_ADDRESS)) {
            config.put(host.key(), "localhost");
        }
        config.put(JobManagerOptions.PORT.key(), String.valueOf(freePort()));
        config.put(RestOptions.PORT.key(), String.valueOf(restPort));
        config.putAll(options);
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("config.yaml"), config.entrySet().stream()
                .map(option -> option.getKey() + ": " + option.getValue()).collect(Collectors.joining("\n", "", "\n")));
        Files.writeString(conf.resolve("log4j.properties"), """
                rootLogger.level = INFO
                rootLogger.appenderRef.file.ref = file
                appender.file.type = File
                appender.file.name = file
                appender.file.fileName = ${sys:log.file}
                appender.file.layout.type = PatternLayout
                appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n
                """);
        StandaloneCluster cluster = new StandaloneCluster(dir, conf, Files.readString(Path.of(classpathFile)).trim(),
                restPort);
        try {
            cluster.startProcess("jobmanager", cluster.memoryOptions("GET_JM_RESOURCE_PARAMS"),
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of());
            List<String> taskManagerMemory = cluster.memoryOptions("GET_TM_RESOURCE_PARAMS");
            for (int i = 1; i <= taskManagers; i++) {
                String id = "tm-" + i;
                cluster.taskManagers.put(id, cluster.startProcess(id, taskManagerMemory,
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        List.of("-D", TaskManagerOptions.TASK_MANAGER_RESOURCE_ID.key() + "=" + id)));
            }
            cluster.await("all TaskManagers registered", () -> cluster.taskManagerSlots().size() == taskManagers);
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code flink run -d jar arguments…}; returns the id of the job it submitted. */
    String submit(Path jar, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(jvmOptions("client"));
        command.addAll(List.of("-Xmx512m", "-cp", classpath, "org.apache.flink.client.cli.CliFrontend", "run", "-d",
                jar.toString()));
        command.addAll(Arrays.asList(arguments));
        // The client finds the cluster (rest.address, rest.port) in the configuration, as bin/flink does.
        JavaProcess client = JavaProcess.start("client", dir, Map.of("FLINK_CONF_DIR", conf.toString()), command);
        int exit = client.awaitExit(COMMAND_TIMEOUT);
        Matcher submitted = SUBMITTED.matcher(client.output());
        if (exit != 0 || !submitted.find()) {
            throw new IllegalStateException("flink run exited with " + exit + ": " + client.output());
        }
        return submitted.group(1);
    }

    /** The job's state as the JobManager reports it: RUNNING, CANCELED… */
    String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** A failure of a job, as the JobManager recorded it: when, and its exception's first line. */
    record Failure(Instant at, String exception) {}

    /** The failures the JobManager recorded for the job, oldest first. */
    List<Failure> failures(String jobId) throws IOException, InterruptedException {
        List<Failure> failures = new ArrayList<>();
        get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").forEach(entry ->
                failures.add(0, new Failure(Instant.ofEpochMilli(entry.path("timestamp").asLong()),
                        entry.path("stacktrace").asText().lines().findFirst().orElse(""))));
        return failures;
    }

    /** The TaskManager whose slot is taken; on this cluster of one-slot TaskManagers, the one running the job. */
    String busyTaskManager() throws IOException, InterruptedException {
        return taskManagerSlots().entrySet().stream().filter(tm -> tm.getValue() == 0).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalStateException("no TaskManager runs a task"));
    }

    /** {@code kill -9} of a TaskManager's process. */
    void kill(String taskManager) throws InterruptedException {
        taskManagers.get(taskManager).kill();
    }

    /** Cancels the job and returns once the JobManager says it is cancelled. */
    void cancel(String jobId) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest.resolve("/jobs/" + jobId
                        + "?mode=cancel")).timeout(REQUEST_TIMEOUT).method("PATCH", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("cancel answered " + response.statusCode() + ": " + response.body());
        }
        await("job " + jobId + " cancelled", () -> "CANCELED".equals(jobState(jobId)));
    }

    /** Free slots per registered TaskManager id. */
    private Map<String, Integer> taskManagerSlots() throws IOException, InterruptedException {
        Map<String, Integer> slots = new LinkedHashMap<>();
        get("/taskmanagers").path("taskmanagers")
                .forEach(tm -> slots.put(tm.path("id").asText(), tm.path("freeSlots").asInt()));
        return slots;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest.resolve(path))
                .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new RestStatusException(response.statusCode(), "GET " + path + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body());
    }

    /**
     * Starts a Flink process as {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} would, with the JVM
     * options and the {@code -D} memory options {@code BashJavaUtils} derived for its role.
     */
    private JavaProcess startProcess(String name, List<String> computed, String mainClass, List<String> arguments)
            throws Exception {
        List<String> command = new ArrayList<>(jvmOptions(name));
        command.addAll(Arrays.asList(computed.get(0).split(" ")));
        command.addAll(List.of("-cp", classpath, mainClass, "--configDir", conf.toString()));
        command.addAll(Arrays.asList(computed.get(1).split(" ")));
        command.addAll(arguments);
        JavaProcess process = JavaProcess.start(name, dir, Map.of(), command);
        processes.add(process);
        return process;
    }

    /** The two lines {@code BashJavaUtils} prints for {@code role}: JVM options, then dynamic properties. */
    private List<String> memoryOptions(String role) throws Exception {
        JavaProcess utils = JavaProcess.start("memory-" + role, dir, Map.of(), List.of("-cp", classpath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils", role, "--configDir", conf.toString()));
        int exit = utils.awaitExit(COMMAND_TIMEOUT);
        List<String> results = utils.output().lines().filter(line -> line.startsWith(RESULT_PREFIX))
                .map(line -> line.substring(RESULT_PREFIX.length()).trim()).toList();
        if (exit != 0 || results.size() != 2) {
            throw new IllegalStateException("BashJavaUtils " + role + " exited with " + exit + ": "
                    + utils.output());
        }
        return results;
    }

    /** What every Flink JVM of this cluster gets: Java 17's opened modules, and its log file and configuration. */
    private List<String> jvmOptions(String name) {
        List<String> options = new ArrayList<>(JAVA_17_OPTIONS);
        options.add("-Dlog.file=" + dir.resolve(name + "-flink.log"));
        options.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        return options;
    }

    private void await(String what, RestCondition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT_TIMEOUT.toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + WAIT_TIMEOUT + ": " + what + "; logs in " + dir);
            }
            for (JavaProcess process : processes) {
                if (process.exitedByItself()) {
                    throw new IllegalStateException(process.name() + " exited: " + process.output());
                }
            }
            Thread.sleep(250);
        }
    }

    /** False while the REST endpoint is not up yet, or not ready to answer. */
    private static boolean holds(RestCondition condition) throws Exception {
        try {
            return condition.holds();
        } catch (ConnectException e) {
            return false;
        } catch (RestStatusException e) {
            if (e.status != UNAVAILABLE) {
                throw e;
            }
            return false;
        }
    }

    /** An answer of the REST API other than 200. */
    private static final class RestStatusException extends IOException {
        private final int status;

        RestStatusException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A check that asks the REST API. */
    @FunctionalInterface
    private interface RestCondition {
        boolean holds() throws Exception;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The most heap any TaskManager had in use after a collection, in megabytes. */
    double peakTaskManagerHeapAfterGcMb() throws IOException {
        double peak = 0;
        for (JavaProcess taskManager : taskManagers.values()) {
            peak = Math.max(peak, taskManager.peakHeapAfterGcMb());
        }
        return peak;
    }

    @Override
    public void close() throws InterruptedException {
        for (JavaProcess process : processes) {
            process.close();
        }
    }
}
