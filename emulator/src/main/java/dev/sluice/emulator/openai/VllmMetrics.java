package dev.sluice.emulator.openai;

import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EngineStats;
import dev.sluice.emulator.InflightBatchingEngine.Load;
import dev.sluice.emulator.metrics.MetricsPage;
import dev.sluice.emulator.metrics.MetricsPage.Type;
import dev.sluice.emulator.metrics.ServerMetrics;
import java.util.List;

/**
 * What {@code vllm serve} exports on {@code /metrics}, the families of its V1 engine
 * ({@code vllm-project/vllm} {@code vllm/v1/metrics/loggers.py} @005a810b, {@code PrometheusStatLogger}) this
 * emulator can fill, labelled {@code model_name} and {@code engine} as there: {@code vllm:num_requests_running},
 * {@code vllm:num_requests_waiting}, {@code vllm:kv_cache_usage_perc} (the name since 0.9, where
 * {@code vllm:gpu_cache_usage_perc} was deprecated), {@code vllm:prompt_tokens_total},
 * {@code vllm:generation_tokens_total}, {@code vllm:request_success_total} by {@code finished_reason}, and the
 * histogram {@code vllm:request_queue_time_seconds} (its totals). Tokens are counted as vLLM counts them, per engine
 * step: a prompt when it is admitted, output as each step makes it.
 */
final class VllmMetrics implements ServerMetrics {

    /**
     * vLLM's finish reasons at that version, each present from the start ({@code vllm/v1/engine/__init__.py}
     * {@code FINISH_REASON_STRINGS}; later releases add {@code error} and {@code repetition}).
     */
    private static final List<String> FINISH_REASONS = List.of("stop", "length", FinishedRequests.ABORT);

    private final EmulatedModel model;
    private final FinishedRequests finished;

    VllmMetrics(EmulatedModel model, FinishedRequests finished) {
        this.model = model;
        this.finished = finished;
    }

    @Override
    public void writeTo(MetricsPage page) {
        Load load = model.engine().load();
        EngineStats.Snapshot stats = model.engine().stats();
        String[] labels = {"model_name", model.name(), "engine", "0"};

        page.metric("vllm:num_requests_running", Type.GAUGE, "Number of requests in model execution batches.",
                load.running(), labels);
        page.metric("vllm:num_requests_waiting", Type.GAUGE, "Number of requests waiting to be processed.",
                load.waiting(), labels);
        page.metric("vllm:kv_cache_usage_perc", Type.GAUGE, "KV-cache usage. 1 means 100 percent usage.",
                (double) load.kvTokens() / load.kvCapacity(), labels);
        page.metric("vllm:prompt_tokens_total", Type.COUNTER, "Number of prefill tokens processed.",
                stats.admittedPromptTokens(), labels);
        page.metric("vllm:generation_tokens_total", Type.COUNTER, "Number of generation tokens processed.",
                stats.sequenceSteps(), labels);
        page.family("vllm:request_success_total", Type.COUNTER, "Count of successfully processed requests.");
        for (String reason : FINISH_REASONS) {
            page.sample("vllm:request_success_total", finished.count(reason), "model_name", model.name(), "engine",
                    "0", "finished_reason", reason);
        }
        page.histogramTotals("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.",
                stats.finishedQueuedNanos() / 1e9, stats.finishedSequences(), labels);
    }
}
