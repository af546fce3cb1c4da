package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.SluiceCli;
import dev.sluice.config.SluiceConfig;
import dev.sluice.embedded.EmbeddedKafka;
import dev.sluice.serde.JsonAvro;
import dev.sluice.serve.ApiKeys;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code batch-upload} benchmark: that {@code sluice serve} streams a large Batch API input rather than holding
 * it. One file of {@code lines} chat requests of about 4 KB each (50,000 make 200 MB, the default upload limit) is
 * uploaded to a {@code sluice serve} running in a JVM of its own with a {@value #HEAP_MB} MiB heap, then made a
 * batch, and followed until every line has been checked and published as its run ({@code validating} to
 * {@code in_progress}). The server publishes to an embedded broker with no job attached: what is measured is the
 * front door alone. What it holds is the most heap left after a full collection, from its own GC log
 * ({@code -Xlog:gc}); after a young one, the old generation's garbage would count too.
 */
final class UploadBench {

    static final int HEAP_MB = 64;
    private static final int PROMPT_CHARS = 3_900;
    private static final Pattern LISTENING = Pattern.compile("serving the OpenAI Batch API at (\\S+) ");
    /** A full collection's line in {@code -Xlog:gc}: {@code Pause Full (Allocation Failure) 59M->31M(61M) 34ms}. */
    private static final Pattern AFTER_FULL_GC = Pattern.compile("Pause Full .*\\d+M->(\\d+)M\\(\\d+M\\)");
    private static final long STEP_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final Path config;
    private final int lines;
    private final PrintStream out;

    UploadBench(Path config, int lines, PrintStream out) {
        this.config = config;
        this.lines = lines;
        this.out = out;
    }

    ObjectNode run() throws Exception {
        Path dir = Files.createTempDirectory("sluice-upload-bench");
        try {
            return run(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    private ObjectNode run(Path dir) throws Exception {
        SluiceConfig settings = SluiceConfig.load(config);
        Path input = dir.resolve("big.jsonl");
        writeInput(input);
        String key = ApiKeys.newKey();
        Path keys = Files.writeString(dir.resolve("api-keys"), BulkBench.TENANT + " " + ApiKeys.hash(key) + "\n");
        Path gcLog = dir.resolve("serve-gc.log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createPipelineTopics(settings.kafka().topics(), settings.job().parallelism());
            Process serve = startServe(kafka.bootstrapServers(), dir.resolve("files"), keys, gcLog);
            try {
                BatchApiClient client = new BatchApiClient(URI.create(listeningAt(serve)), key);
                long started = System.nanoTime();
                String fileId = client.upload(input).get("id").asText();
                double uploadSeconds = (System.nanoTime() - started) / 1e9;
                long created = System.nanoTime();
                JsonNode batch = client.json("GET", "/batches/" + client.createBatch(fileId), null);
                while (batch.get("status").asText().equals("validating")) {
                    if (System.nanoTime() - created > STEP_TIMEOUT_NANOS) {
                        throw new IllegalStateException("the batch was still validating after 5 minutes");
                    }
                    Thread.sleep(200);
                    batch = client.json("GET", "/batches/" + batch.get("id").asText(), null);
                }
                double validateSeconds = (System.nanoTime() - created) / 1e9;
                return report(Files.size(input), uploadSeconds, validateSeconds, batch, gcLog);
            } finally {
                serve.destroy();
                serve.waitFor(30, TimeUnit.SECONDS);
                serve.destroyForcibly();
            }
        }
    }

    /** Chat requests of about 4 KB each, written as they are made: the file is never in memory. */
    private void writeInput(Path input) throws IOException {
        String text = "A sturdy, well made product description for translation. ".repeat(PROMPT_CHARS / 57 + 1)
                .substring(0, PROMPT_CHARS);
        try (BufferedWriter writer = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            for (int i = 0; i < lines; i++) {
                ObjectNode line = JsonAvro.mapper().createObjectNode().put("custom_id", String.format("item-%06d", i))
                        .put("method", "POST").put("url", "/v1/chat/completions");
                ObjectNode body = line.putObject("body").put("max_tokens", 128);
                body.putArray("messages").addObject().put("role", "user").put("content", i + ". " + text);
                writer.write(line.toString());
                writer.write('\n');
            }
        }
    }

    /** {@code sluice serve} in a JVM of its own, as an operator runs it, with the small heap under test. */
    private Process startServe(String bootstrapServers, Path files, Path keys, Path gcLog) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC",
                "-Xlog:gc:file=" + gcLog, "-cp", System.getProperty("java.class.path"), SluiceCli.class.getName(),
                "serve", "--config", config.toString(), "--listen", "localhost:0").redirectErrorStream(true);
        builder.environment().put("SLUICE_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        builder.environment().put("SLUICE_SERVE_FILES", files.toString());
        builder.environment().put("SLUICE_SERVE_API_KEYS_FILE", keys.toString());
        return builder.start();
    }

    /** The address the server prints once it listens; its other output is passed on. */
    private String listeningAt(Process serve) throws IOException {
        BufferedReader output = new BufferedReader(new InputStreamReader(serve.getInputStream(),
                StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            Matcher listening = LISTENING.matcher(line);
            if (listening.find()) {
                Thread drain = new Thread(() -> output.lines().forEach(rest -> { }), "serve-output");
                drain.setDaemon(true);
                drain.start();
                return listening.group(1);
            }
            seen.add(line);
        }
        throw new IllegalStateException("sluice serve ended before listening: " + String.join("\n", seen));
    }

    private ObjectNode report(long bytes, double uploadSeconds, double validateSeconds, JsonNode batch, Path gcLog)
            throws IOException {
        long peakMb = 0;
        int fullGcs = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher afterGc = AFTER_FULL_GC.matcher(line);
            if (afterGc.find()) {
                fullGcs++;
                peakMb = Math.max(peakMb, Long.parseLong(afterGc.group(1)));
            }
        }
        String status = batch.get("status").asText();
        int requests = batch.at("/request_counts/total").asInt();
        if (!status.equals("in_progress") || requests != lines) {
            throw new IllegalStateException("the batch should be in progress with " + lines + " requests: " + batch);
        }
        out.printf(Locale.ROOT, "%,d chat requests, %,d bytes, uploaded to sluice serve (-Xmx%dm) in %.1f s; "
                + "validating to %s (%,d requests published) in %.1f s; most heap after a full GC %d MB (of %d full "
                + "GCs)%n", lines, bytes, HEAP_MB, uploadSeconds, status, requests, validateSeconds, peakMb, fullGcs);
        out.printf(Locale.ROOT, "ratio: heap after full GC / heap limit %.2f%n", (double) peakMb / HEAP_MB);
        return JsonAvro.mapper().createObjectNode().put("scenario", "batch-upload").put("lines", lines)
                .put("bytes", bytes).put("heap_limit_mb", HEAP_MB).put("upload_seconds", uploadSeconds)
                .put("validate_seconds", validateSeconds).put("status", status).put("requests_published", requests)
                .put("full_gcs", fullGcs).put("peak_heap_after_full_gc_mb", peakMb);
    }
}
