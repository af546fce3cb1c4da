package dev.sluice.backend.triton;

import dev.sluice.backend.BoundedLines;
import dev.sluice.backend.PrometheusText;
import dev.sluice.backend.ReportsLoad;
import dev.sluice.backend.ServerLoad;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads a TensorRT-LLM model's load from Triton's metrics page ({@code http://host:8002/metrics}): the gauges the
 * TensorRT-LLM backend sets from its executor's statistics every {@code stats_check_period_ms}
 * ({@code NVIDIA/TensorRT-LLM}
 * {@code triton_backend/inflight_batcher_llm/src/custom_metrics_reporter/custom_metrics_reporter.cc} @0d5352f),
 * labelled {@code model} (the model running the executor, {@link MetricsPage#model()}) and {@code version}:
 *
 * <ul>
 *   <li>{@code nv_trt_llm_request_metrics{request_type="active"}}: requests the executor runs, the report's
 *       running; {@code "waiting"}: requests it has queued; {@code "max"}: most it runs at once;
 *   <li>{@code nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="used"}} of {@code "max"}: the KV cache in use.
 * </ul>
 *
 * <p>The page is the server's: it is read through {@link BoundedLines} (a line past 64 KiB or a page past 4 MiB
 * fails the read, and so does one still coming in after {@link ReportsLoad#LOAD_TIMEOUT_MILLIS}), lines that are not
 * samples are skipped, and so are values that are not counts (negative, {@code NaN}, infinite). A page without this
 * model's active and waiting requests, or with a count past a million, fails the read, so the caller keeps to what it
 * does when no report comes. Samples of every version count where the deployment names none.
 */
final class TritonLoadReader {

    private static final int MAX_LINE_BYTES = 64 * 1024;
    private static final long MAX_PAGE_BYTES = 4L * 1024 * 1024;
    /** No server runs or queues more requests, or holds more KV-cache blocks, than this: a larger figure is junk. */
    private static final double MAX_COUNT = 1_000_000;
    private static final String REQUESTS = "nv_trt_llm_request_metrics";
    private static final String KV_BLOCKS = "nv_trt_llm_kv_cache_block_metrics";

    private final HttpClient http;
    private final HttpRequest request;
    private final String model;
    private final String version;

    /**
     * @param page the page, and the model whose samples to read
     * @param version the model version to read, or empty for every version's samples together
     */
    TritonLoadReader(MetricsPage page, String version) {
        // HTTP/1.1: Triton's metrics server speaks nothing else, and an HTTP/2 upgrade request is wasted on it.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(ReportsLoad.LOAD_TIMEOUT_MILLIS))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.request = HttpRequest.newBuilder(page.url())
                .timeout(Duration.ofMillis(ReportsLoad.LOAD_TIMEOUT_MILLIS)).GET().build();
        this.model = page.model();
        this.version = version;
    }

    /** One read of the page; fails (never throws) where the server does not answer 200 with this model's gauges. */
    CompletableFuture<ServerLoad> load() {
        Tally tally = new Tally();
        CompletableFuture<HttpResponse<Tally>> exchange = http.sendAsync(request, response ->
                response.statusCode() == 200
                        ? HttpResponse.BodySubscribers.mapping(
                                new BoundedLines(tally::add, MAX_LINE_BYTES, MAX_PAGE_BYTES), done -> tally)
                        : HttpResponse.BodySubscribers.replacing(null));
        // The request's timeout ends only the wait for the headers: a page that trickles in would hold its
        // connection past the next poll, and the next, so the whole exchange is abandoned at the same time.
        CompletableFuture.delayedExecutor(ReportsLoad.LOAD_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .execute(() -> exchange.cancel(true));
        return exchange.thenApply(response -> {
            if (response.body() == null) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
            }
            return response.body().load();
        });
    }

    /** The model's samples of one page, summed by family and type as they are read. */
    final class Tally {
        private final Map<String, Double> requests = new HashMap<>();
        private final Map<String, Double> kvBlocks = new HashMap<>();

        /** Counts {@code line} where it is one of this model's load samples. */
        void add(String line) {
            PrometheusText.sample(line).ifPresent(sample -> {
                Map<String, String> labels = sample.labels();
                double value = sample.value();
                if (!model.equals(labels.get("model")) || !(version.isEmpty() || version.equals(labels.get("version")))
                        || !(value >= 0 && value < Double.POSITIVE_INFINITY)) {
                    return;
                }
                if (sample.name().equals(REQUESTS) && labels.containsKey("request_type")) {
                    requests.merge(labels.get("request_type"), value, Double::sum);
                } else if (sample.name().equals(KV_BLOCKS) && labels.containsKey("kv_cache_block_type")) {
                    kvBlocks.merge(labels.get("kv_cache_block_type"), value, Double::sum);
                }
            });
        }

        /** The load these samples report; throws where they lack the model's active or waiting requests. */
        ServerLoad load() {
            Double active = requests.get("active");
            Double waiting = requests.get("waiting");
            if (active == null || waiting == null) {
                throw new IllegalStateException(request.uri() + " reports no active and waiting requests of model '"
                        + model + "' (" + REQUESTS + ")");
            }
            double maxBlocks = kvBlocks.getOrDefault("max", 0.0);
            double tokenUsage = maxBlocks > 0 && maxBlocks < Double.POSITIVE_INFINITY
                    ? Math.min(1, kvBlocks.getOrDefault("used", 0.0) / maxBlocks) : 0;
            return new ServerLoad(count(active), count(waiting), count(requests.getOrDefault("max", 0.0)), tokenUsage,
                    0, 0);
        }

        /** A sum of counts as an int; throws where it passes {@link #MAX_COUNT}, as only junk does. */
        private int count(double sum) {
            if (sum > MAX_COUNT) {
                throw new IllegalStateException(request.uri() + " reports more than " + (long) MAX_COUNT
                        + " of something for model '" + model + "'");
            }
            return (int) Math.round(sum);
        }
    }
}
