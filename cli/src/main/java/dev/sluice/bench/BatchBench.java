package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.bulk.BulkSubmitter;
import dev.sluice.config.ServeSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.serde.JsonAvro;
import dev.sluice.serve.ApiKeys;
import dev.sluice.serve.ServeServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code batch} benchmark: one OpenAI Batch API input file ({@code items} chat requests translating product
 * descriptions into Japanese) through the demo stack twice, side by side: submitted, followed and collected as
 * {@code sluice bulk submit --wait} does, and through {@code sluice serve} over HTTP as a hosted-API client does it
 * (upload, create, poll, download the output). The ratio is what the API's front door costs a run.
 */
final class BatchBench {

    private static final String TENANT = BulkBench.TENANT;
    private static final int WARM_UP_MIN = 100;
    private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled", "expired");

    private final SluiceConfig config;
    private final Catalog catalog;
    private final int items;
    private final double timeScale;
    private final PrintStream out;

    BatchBench(SluiceConfig config, Catalog catalog, int items, double timeScale, PrintStream out) {
        this.config = config;
        this.catalog = catalog;
        this.items = items;
        this.timeScale = timeScale;
        this.out = out;
    }

    ObjectNode run() throws Exception {
        Path dir = Files.createTempDirectory("sluice-batch-bench");
        Path input = dir.resolve("batch.jsonl");
        Files.write(input, requests(items, ""));
        Path warmUp = dir.resolve("warm-up.jsonl");
        Files.write(warmUp, requests(Math.max(WARM_UP_MIN, items / 20), "Warm-up. "));
        try (DemoStack stack = DemoStack.start(config, catalog, timeScale)) {
            // Whichever side ran first would pay for the JIT and the first connections to every server.
            BulkBench.submitAndCollect(stack.config(), stack.catalog(),
                    BulkBench.customRun(warmUp, "batch-bench-warm-up", TENANT), dir);
            BulkBench.Side bulk = BulkBench.submitAndCollect(stack.config(), stack.catalog(),
                    BulkBench.customRun(input, "batch-bench-bulk", TENANT), dir);
            BulkBench.Side api = throughApi(stack, input, dir);
            return report(bulk, api);
        }
    }

    /** Upload, create, poll until it ends, download its output: the hosted API's workflow. */
    private BulkBench.Side throughApi(DemoStack stack, Path input, Path dir) throws Exception {
        String key = ApiKeys.newKey();
        Path files = dir.resolve("served-files");
        ServeSettings serve = stack.config().serve().withListen("localhost:0").withFiles(files.toString())
                .withApiKeys(List.of(new ServeSettings.ApiKey(TENANT, ApiKeys.hash(key))));
        try (ServeServer server = ServeServer.start(stack.config().withServe(serve), stack.catalog(),
                folder -> files, ApiKeys.of(serve, null))) {
            BatchApiClient client = new BatchApiClient(server.baseUrl(), key);
            long started = System.nanoTime();
            String fileId = client.upload(input).get("id").asText();
            String batchId = client.createBatch(fileId);
            List<Long> seen = new ArrayList<>();
            JsonNode batch = client.json("GET", "/batches/" + batchId, null);
            String last = null;
            while (!ENDED.contains(batch.get("status").asText())) {
                if (!batch.get("request_counts").toString().equals(last)) {
                    last = batch.get("request_counts").toString();
                    seen.add(System.nanoTime());
                }
                Thread.sleep(500);
                batch = client.json("GET", "/batches/" + batchId, null);
            }
            if (!batch.get("output_file_id").isNull()) {
                client.download(batch.get("output_file_id").asText(), dir.resolve("batch-output.jsonl"));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double longestGap = 0;
            for (int i = 1; i < seen.size(); i++) {
                longestGap = Math.max(longestGap, (seen.get(i) - seen.get(i - 1)) / 1e9);
            }
            return new BulkBench.Side(seconds, batch.at("/request_counts/completed").asInt(),
                    batch.at("/request_counts/failed").asInt(), batch.at("/usage/output_tokens").asLong(),
                    seen.size(), longestGap);
        }
    }

    private ObjectNode report(BulkBench.Side bulk, BulkBench.Side api) {
        out.printf("%d chat requests (product descriptions, English to Japanese) in one OpenAI batch file, through "
                + "the demo stack (emulated GPUs %.0fx), after a warm-up run of %d not counted%n", items, timeScale,
                Math.max(WARM_UP_MIN, items / 20));
        out.printf("%-24s %8s %8s %8s %10s %16s%n", "", "done", "failed", "seconds", "items/s", "completion tok/s");
        BulkBench.row(out, "bulk submit --wait", bulk);
        BulkBench.row(out, "batch API (serve)", api);
        double ratio = api.itemsPerSecond() / bulk.itemsPerSecond();
        out.printf(Locale.ROOT, "ratio: batch API/bulk submit items per second %.2f%n", ratio);
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "batch").put("items", items).put("time_scale", timeScale)
                .put("bulk_items_per_second", bulk.itemsPerSecond()).put("bulk_seconds", bulk.seconds())
                .put("bulk_done", bulk.done()).put("bulk_failed", bulk.failed())
                .put("api_items_per_second", api.itemsPerSecond()).put("api_seconds", api.seconds())
                .put("api_done", api.done()).put("api_failed", api.failed()).put("ratio", ratio);
        return json;
    }

    /**
     * The demo's product descriptions as Batch API lines: a chat request each, 128 tokens an answer; {@code label}
     * before each text keeps the warm-up's prompts out of the emulated servers' prefix caches for the measured ones.
     */
    static List<String> requests(int count, String label) {
        List<String> lines = new ArrayList<>(count);
        for (String description : BulkBench.descriptions(count)) {
            JsonNode item = readTree(description);
            ObjectNode line = JsonAvro.mapper().createObjectNode().put("custom_id", item.get("custom_id").asText())
                    .put("method", "POST").put("url", "/v1/chat/completions");
            ObjectNode body = line.putObject("body").put("max_tokens", 128);
            body.putArray("messages").addObject().put("role", "user").put("content",
                    "Translate this product description from English into Japanese. Answer with the translation "
                            + "only.\n\n" + label + item.get("text").asText());
            lines.add(line.toString());
        }
        return lines;
    }

    private static JsonNode readTree(String json) {
        try {
            return JsonAvro.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
