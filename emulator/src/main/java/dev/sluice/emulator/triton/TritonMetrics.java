package dev.sluice.emulator.triton;

import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedModel.TritonTensorProfile;
import dev.sluice.emulator.InflightBatchingEngine.Load;
import dev.sluice.emulator.metrics.MetricsPage;
import dev.sluice.emulator.metrics.MetricsPage.Type;
import dev.sluice.emulator.metrics.ServerMetrics;
import dev.sluice.emulator.triton.ModelCounters.Totals;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * What Triton with the TensorRT-LLM backend exports on its metrics port (8002), for each emulated model under its
 * labels {@code model} and {@code version}:
 *
 * <ul>
 *   <li>Triton's request statistics ({@code server} {@code docs/user_guide/metrics.md}; the project's
 *       {@code triton-protocol.md} section 6), from the same counters as {@code ModelStatistics}:
 *       {@code nv_inference_request_success}, {@code nv_inference_request_failure} by {@code reason},
 *       {@code nv_inference_count}, {@code nv_inference_exec_count}, and the cumulative
 *       {@code nv_inference_request_duration_us}, {@code nv_inference_queue_duration_us} and
 *       {@code nv_inference_compute_infer_duration_us};
 *   <li>the TensorRT-LLM backend's gauges from its executor ({@code NVIDIA/TensorRT-LLM}
 *       {@code triton_backend/inflight_batcher_llm/src/custom_metrics_reporter/custom_metrics_reporter.cc}
 *       @0d5352f): {@code nv_trt_llm_request_metrics} by {@code request_type} and
 *       {@code nv_trt_llm_kv_cache_block_metrics} by {@code kv_cache_block_type}, for each ensemble model.
 * </ul>
 *
 * <p>Those gauges are the C++ {@code tensorrt_llm} backend's, labelled with the model that runs it: in TensorRT-LLM's
 * layout ({@code triton_backend/all_models/inflight_batcher_llm/}) that is the composing model {@code tensorrt_llm},
 * not the {@code ensemble} (or {@code tensorrt_llm_bls}) that clients call. So an emulated ensemble's gauges go under
 * {@code model="tensorrt_llm"}, as upstream's layout names it, where the server serves one ensemble; a model
 * repository holds one model of each name, so where it serves several, each layout's executor model is renamed, and
 * here ensemble {@code E}'s is {@code tensorrt_llm_E} ({@link #executorModel}). An LLM-API model
 * ({@code triton_backend/all_models/llmapi/tensorrt_llm/1/model.py}, Python) sets no such gauges, so it has none.
 *
 * <p>Left out as nothing here could give them honestly: {@code nv_inference_pending_request_count} (the TensorRT-LLM
 * backend takes each request off Triton's queue at once and queues it in its executor, which
 * {@code request_type="waiting"} counts), compute input and output durations (the emulated GPU has no such phases),
 * the GPU, CPU and memory gauges, the backend's memory and per-iteration families, and the request statistics of an
 * ensemble's composing models.
 */
final class TritonMetrics implements ServerMetrics {

    /**
     * Tokens per KV-cache block: TensorRT-LLM's default ({@code tensorrt_llm/plugin/plugin.py},
     * {@code PluginConfig._tokens_per_block}).
     */
    static final int TOKENS_PER_BLOCK = 32;

    private final TritonEmulatorService service;

    TritonMetrics(TritonEmulatorService service) {
        this.service = service;
    }

    @Override
    public void writeTo(MetricsPage page) {
        Map<String, EmulatedModel> models = service.models();
        Map<String, Totals> totals = new TreeMap<>();
        models.keySet().forEach(name -> totals.put(name, service.counters(name).totals()));

        counter(page, totals, "nv_inference_request_success", "Number of successful inference requests, all batch sizes",
                Totals::successes);
        page.family("nv_inference_request_failure", Type.COUNTER, "Number of failed inference requests, all batch sizes");
        totals.forEach((model, total) -> total.failures().forEach((reason, count) -> page.sample(
                "nv_inference_request_failure", count, "model", model, "reason", reason.name(), "version",
                TritonEmulatorService.MODEL_VERSION)));
        counter(page, totals, "nv_inference_count", "Number of inferences performed (does not include cached requests)",
                Totals::inferences);
        counter(page, totals, "nv_inference_exec_count",
                "Number of model executions performed (does not include cached requests)", Totals::executions);
        counter(page, totals, "nv_inference_request_duration_us", "Cumulative inference request duration in microseconds "
                + "(includes cached requests)", total -> total.requestNanos() / 1000.0);
        counter(page, totals, "nv_inference_queue_duration_us", "Cumulative inference queuing duration in microseconds "
                + "(includes cached requests)", total -> total.queueNanos() / 1000.0);
        counter(page, totals, "nv_inference_compute_infer_duration_us", "Cumulative compute inference duration in "
                + "microseconds (does not include cached requests)", total -> total.computeNanos() / 1000.0);

        Map<String, Load> executors = new TreeMap<>();
        long ensembles = models.values().stream().filter(model -> model.tensors() == TritonTensorProfile.ENSEMBLE)
                .count();
        models.forEach((model, emulated) -> {
            if (emulated.tensors() == TritonTensorProfile.ENSEMBLE) {
                executors.put(executorModel(model, ensembles), emulated.engine().load());
            }
        });
        page.family("nv_trt_llm_request_metrics", Type.GAUGE, "TRT LLM request metrics");
        executors.forEach((model, load) -> requestMetrics(page, model, load));
        page.family("nv_trt_llm_kv_cache_block_metrics", Type.GAUGE, "TRT LLM KV cache block metrics");
        executors.forEach((model, load) -> kvCacheBlocks(page, model, load));
    }

    /**
     * The name of the model that runs ensemble {@code ensemble}'s executor on a server serving {@code ensembles}
     * of them: upstream's {@code tensorrt_llm} where it is the only one, else {@code tensorrt_llm_} and its name.
     */
    static String executorModel(String ensemble, long ensembles) {
        return ensembles == 1 ? "tensorrt_llm" : "tensorrt_llm_" + ensemble;
    }

    private static void counter(MetricsPage page, Map<String, Totals> totals, String name, String help,
            ToDoubleFunction<Totals> value) {
        page.family(name, Type.COUNTER, help);
        totals.forEach((model, total) -> page.sample(name, value.applyAsDouble(total), "model", model, "version",
                TritonEmulatorService.MODEL_VERSION));
    }

    /**
     * The executor's requests. The emulated scheduler admits a request when a slot and its whole KV budget are free
     * and then runs it every step, so active and scheduled are the same there; what waits for either is waiting.
     */
    private static void requestMetrics(MetricsPage page, String model, Load load) {
        requestType(page, model, "active", load.running());
        requestType(page, model, "max", load.maxRunning());
        requestType(page, model, "scheduled", load.running());
        requestType(page, model, "context", load.prefilling());
        requestType(page, model, "waiting", load.waiting());
    }

    private static void requestType(MetricsPage page, String model, String type, double value) {
        page.sample("nv_trt_llm_request_metrics", value, "model", model, "request_type", type, "version",
                TritonEmulatorService.MODEL_VERSION);
    }

    /**
     * The KV cache in blocks. The emulated cache reserves a sequence's prompt and output budget in tokens when it is
     * admitted, as TensorRT-LLM's default {@code GUARANTEED_NO_EVICT} scheduler makes sure they will fit; used blocks
     * are that reservation rounded up to whole blocks.
     */
    private static void kvCacheBlocks(MetricsPage page, String model, Load load) {
        long max = load.kvCapacity() / TOKENS_PER_BLOCK;
        long used = Math.min(max, (load.kvTokens() + TOKENS_PER_BLOCK - 1) / TOKENS_PER_BLOCK);
        for (Map.Entry<String, Double> block : List.of(Map.entry("max", (double) max),
                Map.entry("free", (double) (max - used)), Map.entry("used", (double) used),
                Map.entry("tokens_per", (double) TOKENS_PER_BLOCK), Map.entry("fraction", (double) used / max))) {
            page.sample("nv_trt_llm_kv_cache_block_metrics", block.getValue(), "model", model,
                    "kv_cache_block_type", block.getKey(), "version", TritonEmulatorService.MODEL_VERSION);
        }
    }
}
