package dev.sluice.serve;

import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.config.ServeSettings;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real S3-compatible server on loopback for tests: moto's {@code moto_server}, run as a child process on a free
 * port with one bucket, {@value #BUCKET}, and stopped by its process id. It keeps objects in memory, replaces each
 * whole as S3 does, reads aws-chunked uploads and pages listings, so the SDK talks to it as to S3 with its defaults.
 * It is {@code $SLUICE_MOTO_SERVER}, else {@code moto_server} on the PATH ({@code pip install 'moto[server]'}; the
 * machines' Python has it): a test without it is skipped, and fails under CI ({@code CI=true}).
 */
public final class LocalS3 implements AutoCloseable {

    public static final String BUCKET = "sluice-test";
    private static final String INSTALL = "pip install 'moto[server]'";
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process process;
    private final URI endpoint;

    private LocalS3(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /**
     * Starts the server, its output in {@code folder}, or skips the calling test (fails it under CI) when moto is not
     * installed. Its credentials are system properties, which the AWS SDK's default chain reads before the
     * environment: a developer's own AWS keys never reach the test server, nor the test's keys AWS.
     */
    public static LocalS3 start(Path folder) throws Exception {
        Optional<String> command = command();
        if (command.isEmpty()) {
            String missing = "moto_server is not installed (neither $SLUICE_MOTO_SERVER nor on the PATH)";
            if ("true".equals(System.getenv("CI"))) {
                fail(missing + "; CI's machines have it with their Python: " + INSTALL);
            }
            Assumptions.abort(missing + ". Install it to run this test: " + INSTALL);
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.createDirectories(folder);
        Path log = folder.resolve("moto_server.log");
        Process process = new ProcessBuilder(command.get(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalS3 server = new LocalS3(process, URI.create("http://127.0.0.1:" + port));
        try {
            server.createBucket(log);
        } catch (Exception | AssertionError e) {
            server.close();
            throw e;
        }
        System.setProperty("aws.accessKeyId", "sluice-test");
        System.setProperty("aws.secretAccessKey", "sluice-test");
        return server;
    }

    /** How {@code serve.s3} reaches this server: path-style, as S3-compatible servers are addressed. */
    public ServeSettings.S3 settings() {
        return new ServeSettings.S3(endpoint.toString(), "us-east-1", true);
    }

    /** Creates the bucket once the server answers: moto takes any request, signed or not. */
    private void createBucket(Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest create = HttpRequest.newBuilder(endpoint.resolve("/" + BUCKET))
                .PUT(HttpRequest.BodyPublishers.noBody()).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + process.exitValue() + ": "
                        + Files.readString(log));
            }
            try {
                int status = http.send(create, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 200) {
                    throw new IllegalStateException("moto_server answered " + status + " to creating the bucket: "
                            + Files.readString(log));
                }
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("moto_server did not answer at " + endpoint + " within " + STARTUP);
    }

    private static Optional<String> command() {
        String configured = System.getenv("SLUICE_MOTO_SERVER");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(configured);
        }
        return Stream.of(Objects.requireNonNullElse(System.getenv("PATH"), "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, "moto_server")).filter(Files::isExecutable)
                .map(Path::toString).findFirst();
    }

    /** Stops the server by its process id, and whatever it started, then forgets the credentials. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }
}
