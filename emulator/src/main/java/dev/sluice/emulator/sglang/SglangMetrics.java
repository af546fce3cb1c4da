package dev.sluice.emulator.sglang;

import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EngineStats;
import dev.sluice.emulator.metrics.MetricsPage;
import dev.sluice.emulator.metrics.MetricsPage.Type;
import dev.sluice.emulator.metrics.ServerMetrics;

/**
 * What an SGLang server started with {@code --enable-metrics} exports on {@code /metrics}, the families
 * ({@code sgl-project/sglang} {@code python/sglang/srt/metrics/collector.py} @00ae9c15) this emulator can fill:
 *
 * <ul>
 *   <li>the scheduler's gauges, labelled as {@code scheduler_metrics_mixin.py} labels them ({@code model_name},
 *       {@code engine_type}, {@code tp_rank}, {@code pp_rank}): {@code sglang:num_running_reqs},
 *       {@code sglang:num_queue_reqs}, {@code sglang:num_used_tokens}, {@code sglang:max_total_num_tokens},
 *       {@code sglang:token_usage}, {@code sglang:cache_hit_rate}, {@code sglang:gen_throughput}, and the
 *       histogram {@code sglang:queue_time_seconds} (its totals);
 *   <li>the tokenizer manager's counters, labelled {@code model_name} and {@code engine_type}:
 *       {@code sglang:prompt_tokens_total}, {@code sglang:generation_tokens_total},
 *       {@code sglang:num_requests_total} and {@code sglang:num_aborted_requests_total}.
 * </ul>
 *
 * <p>The gauges are the numbers {@code GetLoads} reports ({@link EmulatedLoad}). Tokens are counted as the emulated
 * GPU processes them, prompts at admission and output at each step; SGLang adds a request's tokens when it
 * finishes, which differs only in when a rate sees them. An SGLang worker serves one model, as a single rank.
 */
public final class SglangMetrics implements ServerMetrics {

    private final EmulatedModel model;
    private final long startedNanos = System.nanoTime();

    public SglangMetrics(EmulatedModel model) {
        this.model = model;
    }

    @Override
    public void writeTo(MetricsPage page) {
        EmulatedLoad load = EmulatedLoad.of(model, startedNanos);
        EngineStats.Snapshot stats = model.engine().stats();
        String[] scheduler = {"model_name", model.name(), "engine_type", "unified", "tp_rank", "0", "pp_rank", "0"};
        String[] tokenizer = {"model_name", model.name(), "engine_type", "unified"};

        page.metric("sglang:num_running_reqs", Type.GAUGE, "The number of running requests.", load.running(),
                scheduler);
        page.metric("sglang:num_queue_reqs", Type.GAUGE, "The number of requests in the waiting queue.",
                load.waiting(), scheduler);
        page.metric("sglang:num_used_tokens", Type.GAUGE, "The number of used tokens.", load.usedTokens(), scheduler);
        page.metric("sglang:max_total_num_tokens", Type.GAUGE, "Maximum total number of tokens in the KV cache pool.",
                load.maxTokens(), scheduler);
        page.metric("sglang:token_usage", Type.GAUGE, "The token usage.", load.tokenUsage(), scheduler);
        page.metric("sglang:cache_hit_rate", Type.GAUGE, "The prefix cache hit rate.", load.cacheHitRate(),
                scheduler);
        page.metric("sglang:gen_throughput", Type.GAUGE, "The generation throughput (token/s).", load.throughput(),
                scheduler);
        page.histogramTotals("sglang:queue_time_seconds", "Histogram of queueing time in seconds.",
                stats.finishedQueuedNanos() / 1e9, stats.finishedSequences(), scheduler);

        page.metric("sglang:prompt_tokens_total", Type.COUNTER, "Number of prefill tokens processed.",
                stats.admittedPromptTokens(), tokenizer);
        page.metric("sglang:generation_tokens_total", Type.COUNTER, "Number of generation tokens processed.",
                stats.sequenceSteps(), tokenizer);
        page.metric("sglang:num_requests_total", Type.COUNTER, "Number of requests processed.",
                stats.finishedSequences(), tokenizer);
        page.metric("sglang:num_aborted_requests_total", Type.COUNTER, "Number of requests aborted.",
                stats.abortedSequences(), tokenizer);
    }
}
