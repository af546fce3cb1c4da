package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.sglang.SglangOptions;
import dev.sluice.backend.sglang.SglangSchedulerBackend;
import dev.sluice.backend.triton.MetricsPage;
import dev.sluice.backend.triton.TritonBackend;
import dev.sluice.backend.triton.TritonModelOptions;
import dev.sluice.backend.triton.TritonModelOptions.Streaming;
import dev.sluice.backend.triton.TritonTensorNames;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatedModel.TritonTensorProfile;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.GatewayOptions;
import dev.sluice.serde.JsonAvro;
import io.grpc.ManagedChannel;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The {@code priority} benchmark: the p99 time to first token of interactive requests while batch work saturates
 * an emulated server, divided by the same on the idle server, and the batch work's throughput beside the same batch
 * work alone. On every server only the gateway puts interactive work first, by its queue and the room it leaves
 * batch work; they differ in what the gateway sees of the server. An SGLang worker reports its load
 * ({@code GetLoads}), and so does a Triton TensorRT-LLM ensemble on its metrics page (read as a deployment with
 * {@code metrics-url} and {@code metrics-model: tensorrt_llm} does): batch work fills only the free slots less a
 * reserve. A Triton LLM-API model reports none (it exports no TensorRT-LLM gauges), so the gateway's limit alone
 * bounds batch work, and what the server has queued, an interactive request waits behind. Triton hands requests to
 * its engine without a priority ({@code docs/backends.md}, Request priority on Triton), so the Triton lanes send
 * none. Beside each, the same load with every request treated alike, as a first-in first-out client would send it.
 * The headline is the SGLang worker's.
 *
 * <p>The gateway keeps that reserve only during a spell of interactive traffic, and batch work alone takes every slot
 * and a queue. So under load the first interactive request comes to a server batch work has to itself, and is
 * measured apart ({@code first_of_spell_ttft_ms}); the probes come once its spell's reserve has formed.
 */
final class PriorityBench {

    private static final String MODEL = "worker";
    /**
     * Interactive requests per run: enough that their 99th percentile is not simply the slowest, as it is of fewer
     * than a hundred.
     */
    static final int PROBES = 200;
    /**
     * Model milliseconds between two of them: a steady trickle of interactive traffic, sent whether or not the last
     * was answered, as users' requests come; a few are in flight at once.
     */
    static final long PROBE_INTERVAL_MS = 20;

    /** What the gateway sees of the server behind it. */
    enum Server {
        /** An SGLang worker: the gateway's queue, with batch room from the worker's load report. */
        SGLANG("sglang, gateway + GetLoads"),
        /** A Triton ensemble: the gateway's queue, with batch room from the engine's gauges on the metrics page. */
        TRITON_METRICS("triton, gateway + metrics"),
        /** A Triton LLM-API model: the gateway's queue, with batch room from its limit alone. */
        TRITON("triton, gateway, no report");

        final String label;

        Server(String label) {
            this.label = label;
        }
    }

    /**
     * One server's figures, in model time.
     *
     * @param idleMs interactive p99 TTFT on the idle server
     * @param loadedMs the same under batch load, with priority
     * @param fifoMs the same under batch load, every request alike
     * @param aloneTokensPerSecond the batch work's output tokens per second with nothing else
     * @param loadedTokensPerSecond the same while the interactive requests come, with priority
     * @param firstOfSpellMs the time to first token of the first interactive request to come while batch work alone
     *     has the server, before the reserve kept during a spell of interactive traffic has formed
     * @param probedUnderLoad whether the batch work outlasted the probes under load with priority: otherwise the last
     *     probes came to a server with less to do
     */
    record Figures(double idleMs, double loadedMs, double fifoMs, double aloneTokensPerSecond,
            double loadedTokensPerSecond, double firstOfSpellMs, boolean probedUnderLoad) {
        double ratio() {
            return loadedMs / idleMs;
        }

        double bulkRatio() {
            return loadedTokensPerSecond / aloneTokensPerSecond;
        }
    }

    /**
     * One run's p99 TTFT (NaN without probes), batch throughput (NaN without batch work), the first-of-spell TTFT
     * (NaN but under batch load with priority), and whether batch work was still being answered when the last probe
     * was.
     */
    private record Run(double p99TtftMs, double bulkTokensPerSecond, double firstOfSpellMs,
            boolean probedUnderLoad) {}

    private final CostModel cost;
    private final double timeScale;
    private final int bulkPrompts;
    private final GatewayOptions gateway;
    private final PrintStream out;

    PriorityBench(CostModel cost, double timeScale, int bulkPrompts, GatewayOptions gateway, PrintStream out) {
        this.cost = cost;
        this.timeScale = timeScale;
        this.bulkPrompts = bulkPrompts;
        this.gateway = gateway;
        this.out = out;
    }

    ObjectNode run() throws Exception {
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "priority").put("profile", cost.name()).put("bulk_prompts", bulkPrompts)
                .put("probes", PROBES).put("probe_interval_model_ms", PROBE_INTERVAL_MS).put("time_scale", timeScale);
        ArrayNode servers = json.putArray("servers");
        out.printf("%-26s %9s %9s %9s %12s %12s %14s%n", "interactive p99 TTFT ms", "idle", "loaded", "fifo",
                "bulk tok/s", "bulk alone", "first of spell");
        Map<Server, Figures> all = new EnumMap<>(Server.class);
        for (Server server : Server.values()) {
            Figures figures = measure(server);
            all.put(server, figures);
            out.printf(Locale.ROOT, "%-26s %9.1f %9.1f %9.1f %12.0f %12.0f %14.1f%n", server.label, figures.idleMs(),
                    figures.loadedMs(), figures.fifoMs(), figures.loadedTokensPerSecond(),
                    figures.aloneTokensPerSecond(), figures.firstOfSpellMs());
            servers.addObject().put("server", server.name().toLowerCase(Locale.ROOT))
                    .put("idle_p99_ttft_ms", figures.idleMs()).put("loaded_p99_ttft_ms", figures.loadedMs())
                    .put("loaded_fifo_p99_ttft_ms", figures.fifoMs()).put("ratio", figures.ratio())
                    .put("fifo_ratio", figures.fifoMs() / figures.idleMs())
                    .put("bulk_alone_tokens_per_second", figures.aloneTokensPerSecond())
                    .put("bulk_loaded_tokens_per_second", figures.loadedTokensPerSecond())
                    .put("bulk_ratio", figures.bulkRatio())
                    .put("first_of_spell_ttft_ms", figures.firstOfSpellMs())
                    .put("probed_under_load", figures.probedUnderLoad());
        }
        // The headline is the gateway's priority where the server reports its load; beside it, where none does.
        Figures reported = all.get(Server.SGLANG);
        Figures unreported = all.get(Server.TRITON);
        json.put("idle_p99_ttft_ms", reported.idleMs()).put("loaded_p99_ttft_ms", reported.loadedMs())
                .put("loaded_fifo_p99_ttft_ms", reported.fifoMs()).put("ratio", reported.ratio())
                .put("fifo_ratio", reported.fifoMs() / reported.idleMs()).put("bulk_ratio", reported.bulkRatio())
                .put("first_of_spell_ttft_ms", reported.firstOfSpellMs())
                .put("triton_metrics_ratio", all.get(Server.TRITON_METRICS).ratio())
                .put("triton_metrics_bulk_ratio", all.get(Server.TRITON_METRICS).bulkRatio())
                .put("no_load_report_ratio", unreported.ratio())
                .put("no_load_report_bulk_ratio", unreported.bulkRatio());
        Figures tritonMetrics = all.get(Server.TRITON_METRICS);
        out.printf(Locale.ROOT, "ratio: loaded/idle p99 TTFT %.2f with a load report (sglang), %.2f (triton with "
                + "metrics), %.2f without (triton), %.2f first in first out (sglang) (target <= 2); bulk with/alone "
                + "%.3f, %.3f and %.3f (target >= 0.9)%n", reported.ratio(), tritonMetrics.ratio(),
                unreported.ratio(), reported.fifoMs() / reported.idleMs(), reported.bulkRatio(),
                tritonMetrics.bulkRatio(), unreported.bulkRatio());
        return json;
    }

    private Figures measure(Server server) throws Exception {
        Run idle = run(server, false, true, true);
        Run alone = run(server, true, false, true);
        Run loaded = run(server, true, true, true);
        Run fifo = run(server, true, true, false);
        return new Figures(idle.p99TtftMs(), loaded.p99TtftMs(), fifo.p99TtftMs(), alone.bulkTokensPerSecond(),
                loaded.bulkTokensPerSecond(), loaded.firstOfSpellMs(), loaded.probedUnderLoad());
    }

    /** One stack, fresh: an emulated server on its own GPU, a backend, a gateway. */
    private Run run(Server kind, boolean loaded, boolean probing, boolean prioritised) throws Exception {
        InflightBatchingEngine engine = new InflightBatchingEngine(cost, timeScale);
        // The Triton models are decoupled, so the backend streams and sees each first token.
        EmulatorServer.Builder builder = switch (kind) {
            case SGLANG -> EmulatorServer.builder().protocol(Protocol.SGLANG_SMG)
                    .model(EmulatedModel.sglang(MODEL, engine));
            case TRITON_METRICS -> EmulatorServer.builder()
                    .model(EmulatedModel.ensemble(MODEL, engine, 64).withDecoupled(true)).metrics(0);
            case TRITON -> EmulatorServer.builder()
                    .model(new EmulatedModel(MODEL, engine, 0, TritonTensorProfile.LLM_API, true, null));
        };
        try (EmulatorServer server = builder.start()) {
            ManagedChannel channel = GrpcChannels.plaintext(server.endpoint());
            InferenceBackend backend = switch (kind) {
                case SGLANG -> new SglangSchedulerBackend(channel, server.endpoint(), new SglangOptions(null,
                        Duration.ofMinutes(5)));
                case TRITON_METRICS -> new TritonBackend(channel, server.endpoint(), new TritonModelOptions(MODEL, "",
                        TritonTensorNames.ensemble(), 1, Streaming.AUTO, Duration.ofMinutes(5))
                        .withMetricsPage(new MetricsPage(URI.create("http://127.0.0.1:" + server.metricsPort()
                                + "/metrics"), "tensorrt_llm")));
                case TRITON -> new TritonBackend(channel, server.endpoint(), new TritonModelOptions(MODEL, "",
                        TritonTensorNames.llmApi(), 1, Streaming.AUTO, Duration.ofMinutes(5)));
            };
            try (backend) {
                backend.checkReady(Duration.ofSeconds(30));
                try (Gateway lane = new Gateway(backend, gateway)) {
                    return load(lane, loaded, probing, prioritised);
                }
            } finally {
                GrpcChannels.close(channel);
            }
        }
    }

    private Run load(Gateway lane, boolean loaded, boolean probing, boolean prioritised) throws Exception {
        // Warm the path (JIT, channel, tokenizer) so the idle figure is the server's, not start-up's; as batch work,
        // so that no spell of interactive traffic is under way when the batch work below comes.
        for (int i = 0; i < 10; i++) {
            lane.submit(GenerationRequest.of("w" + i, "Warm up " + i, 4), false, 0).join();
        }
        List<CompletableFuture<Gateway.Answer>> bulk = new ArrayList<>();
        AtomicLong lastDone = new AtomicLong();
        long bulkStart = System.nanoTime();
        if (loaded) {
            for (int i = 0; i < bulkPrompts; i++) {
                bulk.add(lane.submit(GenerationRequest.of("b" + i, Workload.prompt(i), Workload.MAX_TOKENS), false, 0)
                        .whenComplete((answer, failure) -> lastDone.accumulateAndGet(System.nanoTime(), Math::max)));
            }
            // Let the batch work fill the server before the probes arrive.
            Thread.sleep(Math.round(2_000 / timeScale));
        }
        double p99 = Double.NaN;
        double firstOfSpell = Double.NaN;
        AtomicLong lastProbe = new AtomicLong();
        if (probing) {
            if (loaded && prioritised) {
                // Batch work alone has had every slot and a queue: the first interactive request waits behind it.
                // The probes come once the reserve its spell keeps has formed, as slots free.
                firstOfSpell = ttftMs(lane, GenerationRequest.of("first", "Quick question", 16), true);
                Thread.sleep(Math.round(1_000 / timeScale));
            }
            Histogram ttft = new Histogram(3);
            List<CompletableFuture<?>> answered = new ArrayList<>();
            long interval = Math.round(TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MS) / timeScale);
            long start = System.nanoTime();
            for (int i = 0; i < PROBES; i++) {
                long due = start + i * interval;
                for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                long sent = System.nanoTime();
                answered.add(lane.submit(GenerationRequest.of("i" + i, "Quick question " + i, 16), prioritised, 0)
                        .thenAccept(answer -> {
                            long micros = Math.round((answer.result().firstTokenAtNanos() - sent) * timeScale / 1e3);
                            synchronized (ttft) {
                                ttft.recordValue(Math.max(1, micros));
                            }
                            lastProbe.accumulateAndGet(System.nanoTime(), Math::max);
                        }));
            }
            CompletableFuture.allOf(answered.toArray(CompletableFuture[]::new)).join();
            p99 = ttft.getValueAtPercentile(99) / 1_000.0;
        }
        long tokens = 0;
        for (CompletableFuture<Gateway.Answer> answer : bulk) {
            tokens += answer.join().result().completionTokens();
        }
        double bulkSeconds = (lastDone.get() - bulkStart) * timeScale / 1e9;
        return new Run(p99, loaded ? tokens / bulkSeconds : Double.NaN, firstOfSpell,
                loaded && probing && lastDone.get() > lastProbe.get());
    }

    /** Sends {@code request} and waits for its answer: its time to first token, in model milliseconds. */
    private double ttftMs(Gateway lane, GenerationRequest request, boolean interactive) {
        long sent = System.nanoTime();
        Gateway.Answer answer = lane.submit(request, interactive, 0).join();
        return (answer.result().firstTokenAtNanos() - sent) * timeScale / 1e6;
    }
}
