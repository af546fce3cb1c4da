package dev.sluice.registry;

import dev.sluice.chaos.JavaProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Apicurio Registry 3.3.3 as a child process on free loopback ports, storing in memory, its Confluent-compatible API
 * at {@link #ccompatUrl()}. Its files are Maven Central's {@code io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all},
 * unpacked by the build into the directory failsafe names in {@code sluice.apicurio.home}: a Quarkus fast-jar
 * compiled for Java 21, run on the runtime {@link JavaHomes} finds. Its log is
 * {@code target/apicurio-registry-runs/<name>/apicurio.log}.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** Class file version 65. */
    private static final int JAVA_FEATURE = 21;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(250);

    private final JavaProcess process;
    private final String ccompatUrl;

    private ApicurioRegistry(JavaProcess process, String ccompatUrl) {
        this.process = process;
        this.ccompatUrl = ccompatUrl;
    }

    /**
     * Starts one and waits until its API answers.
     *
     * @param name the directory under {@code target/apicurio-registry-runs} for its log
     * @param users user names and passwords it requires as HTTP basic authentication; none: no authentication
     */
    public static ApicurioRegistry start(String name, Map<String, String> users)
            throws IOException, InterruptedException {
        Path home = Path.of(Objects.requireNonNull(System.getProperty("sluice.apicurio.home"),
                "sluice.apicurio.home: run with Maven's failsafe, after the build has unpacked Apicurio"));
        Path jar = home.resolve("quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no quarkus-run.jar in " + home + ": has the archive's layout changed?");
        }
        Path java = JavaHomes.find(JAVA_FEATURE, "sluice.registry.java", "REGISTRY_JAVA_HOME");
        Path dir = Files.createDirectories(home.resolveSibling("apicurio-registry-runs").resolve(name));
        Files.deleteIfExists(dir.resolve("apicurio.log"));
        int port = freePort();
        List<String> arguments = new ArrayList<>(List.of("-Xmx512m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                // The management interface (health, metrics) is on by a build-time setting: on 0.0.0.0:9000 unless
                // moved, which would clash with anything else there.
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + freePort()));
        if (!users.isEmpty()) {
            // Quarkus warns that quarkus.http.auth.basic is fixed at build time, but Apicurio's own authentication
            // reads it when it starts ("Authentication chain: basic" in the log); the embedded users are Quarkus's.
            arguments.add("-Dquarkus.http.auth.basic=true");
            arguments.add("-Dquarkus.security.users.embedded.plain-text=true");
            users.forEach((user, password) ->
                    arguments.add("-Dquarkus.security.users.embedded.users." + user + "=" + password));
        }
        arguments.addAll(List.of("-jar", jar.toString()));
        JavaProcess process = JavaProcess.start(java, "apicurio", dir, Map.of(), arguments);
        ApicurioRegistry registry = new ApicurioRegistry(process, "http://127.0.0.1:" + port + "/apis/ccompat/v7");
        try {
            registry.awaitAnswer();
        } catch (IOException | InterruptedException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** The Confluent-compatible API's base URL. */
    public String ccompatUrl() {
        return ccompatUrl;
    }

    /** Polls the subjects until they are listed, or refused for lack of credentials: either way the API is up. */
    private void awaitAnswer() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(POLL).build();
        HttpRequest subjects = HttpRequest.newBuilder(URI.create(ccompatUrl + "/subjects")).timeout(STARTUP).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (process.exitedByItself()) {
                throw new IllegalStateException("Apicurio Registry exited while starting: " + tail());
            }
            try {
                int status = http.send(subjects, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (ConnectException e) {
                // Not listening yet.
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException("Apicurio Registry did not answer within " + STARTUP + ": " + tail());
    }

    private String tail() throws IOException {
        String log = process.output();
        return log.substring(Math.max(0, log.length() - 4000));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Kills it (kill -9; it keeps nothing) with any process it started. */
    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
