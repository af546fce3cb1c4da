package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.bulk.BulkInput;
import dev.sluice.bulk.BulkRequests;
import dev.sluice.bulk.BulkSubmitter;
import dev.sluice.bulk.PromptTemplate;
import dev.sluice.bulk.RunOutcomes;
import dev.sluice.bulk.RunPublisher;
import dev.sluice.bulk.RunResultsWriter;
import dev.sluice.bulk.RunStates;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.OutputCollector;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.Completion;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RunState;
import dev.sluice.schema.Task;
import dev.sluice.serde.JsonAvro;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code bulk} benchmark: a translation run of {@code items} product descriptions (English to Japanese)
 * through the demo stack (the demo's configuration and catalog, its broker, emulated servers and job), submitted,
 * followed and collected as {@code sluice bulk submit --wait} does, against its baseline: the same prompts
 * published as plain requests of no run, read back as a consumer would. The ratio is what run tracking, the run's
 * commands and collecting cost in throughput.
 */
final class BulkBench {

    static final String TENANT = "acme-retail";

    private final SluiceConfig config;
    private final Catalog catalog;
    private final int items;
    private final double timeScale;
    private final PrintStream out;

    BulkBench(SluiceConfig config, Catalog catalog, int items, double timeScale, PrintStream out) {
        this.config = config;
        this.catalog = catalog;
        this.items = items;
        this.timeScale = timeScale;
        this.out = out;
    }

    /**
     * Seconds and tokens of one side; for the run, how many states a follower saw and the longest wait between two
     * (the state commits with the job's checkpoints).
     */
    record Side(double seconds, int done, int failed, long completionTokens, int states, double longestGap) {
        double itemsPerSecond() {
            return done / seconds;
        }
    }

    ObjectNode run() throws Exception {
        Path dir = Files.createTempDirectory("sluice-bulk-bench");
        Path input = dir.resolve("catalogue.jsonl");
        Files.write(input, descriptions(items));
        try (DemoStack stack = DemoStack.start(config, catalog, timeScale)) {
            Side plain = plain(stack.config(), stack.catalog(), input);
            Side bulk = submitAndCollect(stack.config(), stack.catalog(), options(input, "catalogue-ja"), dir);
            return report(plain, bulk);
        }
    }

    /** The run's requests without their run, published at once and read back until each has an outcome. */
    private Side plain(SluiceConfig demo, Catalog served, Path input) throws Exception {
        BulkSubmitter.Options options = options(input, "plain");
        long started;
        try (RunPublisher publisher = new RunPublisher(demo.kafka());
                OutputCollector collector = new OutputCollector(demo.kafka())) {
            int context = new BulkSubmitter(demo, served, publisher).chosenContext(options);
            List<PromptRequest> requests = new ArrayList<>();
            for (PromptRequest request : BulkRequests.of(BulkInput.read(input, null, null),
                    new BulkRequests.RunSpec("plain", TENANT, Task.TRANSLATE, "en", "ja",
                            PromptTemplate.shipped(Task.TRANSLATE, "en", "ja"), options.maxTokens(),
                            System.currentTimeMillis() + options.deadline().toMillis(), context))) {
                requests.add(PromptRequest.newBuilder(request).setRunId(null).setItemIndex(null).setItemId(null)
                        .build());
            }
            started = System.nanoTime();
            publisher.publish(TENANT, null, requests, options.batchSize(), 1 << 19);
            collector.collectUntil(() -> collector.outcomes() >= requests.size(), Duration.ofMinutes(30));
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Side(seconds, collector.completions().size(), collector.rejects().size(),
                    collector.completions().stream().mapToLong(Completion::getCompletionTokens).sum(), 0, 0);
        }
    }

    /** The run submitted, followed until it ends, and collected into files, as {@code submit --wait} does. */
    static Side submitAndCollect(SluiceConfig demo, Catalog served, BulkSubmitter.Options options, Path dir)
            throws Exception {
        String runId = options.runId();
        String tenant = options.tenant();
        long started = System.nanoTime();
        try (RunPublisher publisher = new RunPublisher(demo.kafka());
                RunStates states = new RunStates(demo.kafka(), tenant, runId)) {
            BulkSubmitter.Result result = new BulkSubmitter(demo, served, publisher).submit(options, null);
            if (result.error() != null) {
                throw new IllegalStateException(result.error());
            }
            List<Long> seen = new ArrayList<>();
            RunState last = states.awaitFinal(0, Duration.ofMinutes(30), state -> seen.add(System.nanoTime())).orElseThrow(
                    () -> new IllegalStateException("the run did not end within 30 minutes"));
            RunResultsWriter.Summary summary = RunResultsWriter.write(last,
                    RunOutcomes.read(demo.kafka(), tenant, runId), dir.resolve(runId + ".results.jsonl"),
                    dir.resolve(runId + ".errors.jsonl"));
            double seconds = (System.nanoTime() - started) / 1e9;
            double longestGap = 0;
            for (int i = 1; i < seen.size(); i++) {
                longestGap = Math.max(longestGap, (seen.get(i) - seen.get(i - 1)) / 1e9);
            }
            return new Side(seconds, summary.served(), summary.errors(), last.getCompletionTokens(), seen.size(),
                    longestGap);
        }
    }

    /** A custom run of {@code input} (the prompts as they are), 25 requests a batch, an hour to finish. */
    static BulkSubmitter.Options customRun(Path input, String runId, String tenant) {
        return new BulkSubmitter.Options(input, BulkSubmitter.Kind.custom, runId, tenant, null, null, null, null,
                null, null, Duration.ofHours(1), 25, null, BulkSubmitter.DEFAULT_MAX_ITEMS);
    }

    private BulkSubmitter.Options options(Path input, String runId) {
        return new BulkSubmitter.Options(input, BulkSubmitter.Kind.translate, runId, TENANT, "en", "ja", null, null,
                null, 128, Duration.ofHours(1), 25, null, BulkSubmitter.DEFAULT_MAX_ITEMS);
    }

    private ObjectNode report(Side plain, Side bulk) {
        out.printf("%d product descriptions, English to Japanese, through the demo stack (emulated GPUs %.0fx)%n",
                items, timeScale);
        out.printf("%-24s %8s %8s %8s %10s %16s%n", "", "done", "failed", "seconds", "items/s", "completion tok/s");
        row("plain requests", plain);
        row("bulk run (submit-wait)", bulk);
        out.printf(Locale.ROOT, "run states seen while it ran: %d, longest wait between two %.1f s%n", bulk.states(),
                bulk.longestGap());
        double ratio = bulk.itemsPerSecond() / plain.itemsPerSecond();
        out.printf(Locale.ROOT, "ratio: bulk/plain items per second %.2f%n", ratio);
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "bulk").put("items", items).put("time_scale", timeScale)
                .put("plain_items_per_second", plain.itemsPerSecond())
                .put("bulk_items_per_second", bulk.itemsPerSecond()).put("bulk_seconds", bulk.seconds())
                .put("bulk_done", bulk.done()).put("bulk_failed", bulk.failed()).put("run_states_seen", bulk.states())
                .put("longest_seconds_between_states", bulk.longestGap()).put("ratio", ratio);
        return json;
    }

    private void row(String name, Side side) {
        row(out, name, side);
    }

    static void row(PrintStream out, String name, Side side) {
        out.printf(Locale.ROOT, "%-24s %8d %8d %8.1f %10.1f %16.0f%n", name, side.done(), side.failed(),
                side.seconds(), side.itemsPerSecond(), side.completionTokens() / side.seconds());
    }

    /** {@code count} product descriptions as JSONL lines, varied enough that prompts differ. */
    static List<String> descriptions(int count) {
        String[] kinds = {"kettle", "backpack", "desk lamp", "rain jacket", "chef's knife", "yoga mat", "teapot",
            "bicycle bell", "notebook", "travel mug"};
        String[] materials = {"stainless steel", "recycled nylon", "oak", "cotton canvas", "cast iron", "bamboo"};
        String[] uses = {"for small kitchens", "for daily commutes", "for long study nights", "for weekend hikes",
            "as a thoughtful gift"};
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String text = String.format(Locale.ROOT, "Item %d: a %s %s made of %s, designed %s. It weighs %d grams "
                    + "and comes with a %d-year warranty.", i, i % 3 == 0 ? "compact" : "sturdy",
                    kinds[i % kinds.length], materials[i % materials.length], uses[i % uses.length],
                    150 + (i * 37) % 900, 1 + i % 5);
            lines.add(JsonAvro.mapper().createObjectNode().put("custom_id", "sku-" + (100_000 + i)).put("text", text)
                    .toString());
        }
        return lines;
    }
}
