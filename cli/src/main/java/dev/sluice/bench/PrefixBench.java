package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.sglang.SglangOptions;
import dev.sluice.backend.sglang.SglangSchedulerBackend;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedModel.TritonTensorProfile;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.emulator.PrefixCache;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.GatewayOptions;
import dev.sluice.serde.JsonAvro;
import io.grpc.ManagedChannel;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code prefix} benchmark: prompts that share long system prompts, spread over two emulated SGLang workers
 * whose radix caches each hold 10 of the 16 system prompts. With prefix grouping each batch is ordered by prefix
 * and goes to the worker its prefix hashes to, where it stays cached; without it batches leave in arrival order for
 * the least loaded worker, both workers see every system prompt, and their caches thrash. Cache-hit rate and
 * throughput, side by side. With {@code longPrefix} each system prompt is two and a half times as long (about 2,100
 * tokens, where a miss costs a prefill of some 30 ms of the modelled GPU): the workload where the cache saves the
 * most. A third lane places by affinity alone, each system prompt always on one worker, half of them on each, with
 * no regard for load: the hit rate that placement alone would reach, which grouping's is measured against.
 */
final class PrefixBench {

    private static final int SYSTEM_PROMPTS = 16;
    private static final int REPLICAS = 2;
    /** A system prompt's sentence this many times: about 840 tokens by the bundled tokenizer. */
    private static final int SHORT_REPEATS = 8;
    /** About 2,100 tokens, well within the model's context with its question and answer. */
    private static final int LONG_REPEATS = 20;

    private final CostModel cost;
    private final double timeScale;
    private final int prompts;
    private final GatewayOptions gateway;
    private final boolean longPrefix;
    private final PrintStream out;

    PrefixBench(CostModel cost, double timeScale, int prompts, GatewayOptions gateway, boolean longPrefix,
            PrintStream out) {
        this.cost = cost;
        this.timeScale = timeScale;
        this.prompts = prompts;
        this.gateway = gateway;
        this.longPrefix = longPrefix;
        this.out = out;
    }

    /** Where a lane sends each prompt. */
    enum Placement {
        /** The gateway's prefix grouping: each prefix to the worker it hashes to, within the gateway's load bound. */
        GROUPING,
        /** Each system prompt always to one worker, whatever its load: a gateway per worker. */
        AFFINITY_ONLY,
        /** The gateway without grouping: each batch in arrival order to the least loaded worker. */
        LEAST_LOADED
    }

    /**
     * One run.
     *
     * @param hitRate prompt tokens served from the caches, of all prompt tokens
     * @param tokensPerSecond output tokens per second of model time over the whole run
     * @param gpuBusy the share of the run's model time the workers' GPUs spent stepping: near 1 where the modelled
     *     GPUs set the pace, well under it where this machine could not feed them
     */
    record Run(double hitRate, double tokensPerSecond, double gpuBusy) {}

    ObjectNode run() throws Exception {
        Run on = measure(Placement.GROUPING);
        Run affinityOnly = measure(Placement.AFFINITY_ONLY);
        Run off = measure(Placement.LEAST_LOADED);
        out.printf("%-18s %14s %16s %10s%n", "prefix grouping", "cache hits", "out tokens/s", "GPU busy");
        print("on", on);
        print("affinity only", affinityOnly);
        print("off", off);
        out.printf(Locale.ROOT, "ratio: cache hits %.2fx, throughput %.2fx with prefix grouping; "
                + "cache hits %.2f of affinity only's%n", on.hitRate() / Math.max(1e-9, off.hitRate()),
                on.tokensPerSecond() / off.tokensPerSecond(), on.hitRate() / Math.max(1e-9, affinityOnly.hitRate()));
        ObjectNode json = JsonAvro.mapper().createObjectNode().put("scenario", "prefix");
        if (longPrefix) {
            // Its own block in the docs, beside the short prompts' figures.
            json.put("variant", "long");
        }
        json.put("profile", cost.name()).put("prompts", prompts).put("system_prompt_tokens", systemPromptTokens())
                .put("time_scale", timeScale).put("replicas", REPLICAS).put("system_prompts", SYSTEM_PROMPTS)
                .put("hit_rate_on", on.hitRate()).put("hit_rate_off", off.hitRate())
                .put("hit_rate_affinity_only", affinityOnly.hitRate())
                .put("tokens_per_second_on", on.tokensPerSecond()).put("tokens_per_second_off", off.tokensPerSecond())
                .put("tokens_per_second_affinity_only", affinityOnly.tokensPerSecond())
                .put("gpu_busy_on", on.gpuBusy()).put("gpu_busy_off", off.gpuBusy())
                .put("gpu_busy_affinity_only", affinityOnly.gpuBusy());
        return json;
    }

    private void print(String lane, Run run) {
        out.printf(Locale.ROOT, "%-18s %13.1f%% %16.0f %9.0f%%%n", lane, run.hitRate() * 100, run.tokensPerSecond(),
                run.gpuBusy() * 100);
    }

    private Run measure(Placement placement) throws Exception {
        List<EmulatorServer> servers = new ArrayList<>();
        List<ManagedChannel> channels = new ArrayList<>();
        List<InferenceBackend> backends = new ArrayList<>();
        List<PrefixCache> caches = new ArrayList<>();
        List<InflightBatchingEngine> engines = new ArrayList<>();
        try {
            for (int i = 0; i < REPLICAS; i++) {
                InflightBatchingEngine engine = new InflightBatchingEngine(cost, timeScale);
                // Room for 10 of the 16 system prompts: enough for one worker's share, not for all of them.
                PrefixCache cache = new PrefixCache(16, (long) (10.5 * systemPromptTokens()));
                EmulatorServer server = EmulatorServer.builder().protocol(Protocol.SGLANG_SMG)
                        .model(new EmulatedModel("worker", engine, 0, TritonTensorProfile.LLM_API, false, cache))
                        .start();
                servers.add(server);
                engines.add(engine);
                caches.add(cache);
                ManagedChannel channel = GrpcChannels.plaintext(server.endpoint());
                channels.add(channel);
                SglangSchedulerBackend backend = new SglangSchedulerBackend(channel, server.endpoint(),
                        new SglangOptions(null, Duration.ofMinutes(5)));
                backend.checkReady(Duration.ofSeconds(30));
                backends.add(backend);
            }
            long started = System.nanoTime();
            List<Gateway> lanes = placement == Placement.AFFINITY_ONLY
                    ? backends.stream().map(backend -> new Gateway(backend, gateway.withPrefixGrouping(true))).toList()
                    : List.of(new Gateway(backends, gateway.withPrefixGrouping(placement == Placement.GROUPING)));
            try {
                List<CompletableFuture<Gateway.Answer>> answers = new ArrayList<>();
                for (int i = 0; i < prompts; i++) {
                    int system = i % SYSTEM_PROMPTS;
                    answers.add(lanes.get(system % lanes.size()).submit(GenerationRequest.of("p" + i,
                            systemPrompt(system) + " Question " + i + ": what changed?", 32), false, 0));
                }
                answers.forEach(CompletableFuture::join);
            } finally {
                lanes.forEach(Gateway::close);
            }
            double seconds = (System.nanoTime() - started) / 1e9 * timeScale;
            long tokens = engines.stream().mapToLong(e -> e.stats().outputTokens()).sum();
            double hitRate = caches.stream().mapToDouble(PrefixCache::hitRate).average().orElse(0);
            double busySeconds = engines.stream().mapToLong(e -> e.stats().busyNanos()).sum() / 1e9;
            return new Run(hitRate, tokens / seconds, busySeconds / (seconds * engines.size()));
        } finally {
            backends.forEach(InferenceBackend::close);
            channels.forEach(GrpcChannels::close);
            servers.forEach(EmulatorServer::close);
        }
    }

    private String systemPrompt(int index) {
        return ("System prompt " + index + ": you answer questions about the quarterly report of business unit "
                + index + ", in a formal tone, citing the section you rely on. ")
                .repeat(longPrefix ? LONG_REPEATS : SHORT_REPEATS);
    }

    private int systemPromptTokens() {
        try (ModelTokenizer tokenizer = ModelTokenizer.bundled()) {
            return tokenizer.encode(systemPrompt(0)).length;
        }
    }
}
