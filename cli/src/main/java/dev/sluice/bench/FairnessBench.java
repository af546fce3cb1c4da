package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.emulator.CostModel;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.GatewayOptions;
import dev.sluice.gateway.Share;
import dev.sluice.serde.JsonAvro;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The {@code fairness} benchmark: two tenants' batch work through one gateway in front of an emulated SGLang worker.
 *
 * <ul>
 *   <li><b>Isolation</b>: a light tenant sends a request every {@value #LIGHT_INTERVAL_MS} model ms, well within the
 *       worker's capacity; a heavy tenant offers ten times as much, past it. The light tenant's p99 latency beside
 *       the heavy one, over its p99 alone (target at most 1.5), with the gateway's fair queuing and with every
 *       request in one first-in first-out queue.
 *   <li><b>Shares</b>: both tenants have the same backlog at once, the heavy one queued first, with weights
 *       {@value #HEAVY_WEIGHT} and 1: each one's share of the tokens served while both still wait, against its
 *       weight's share (target within 10 %), with fair queuing and first in first out.
 * </ul>
 * Latencies are in model time (wall time times the time scale).
 */
final class FairnessBench {

    /** Model milliseconds between the light tenant's requests. */
    static final long LIGHT_INTERVAL_MS = 50;
    /** How many times the light tenant's load the heavy one offers. */
    static final int LOAD_RATIO = 10;
    static final double HEAVY_WEIGHT = 3;
    private static final String LIGHT = "light";
    private static final String HEAVY = "heavy";

    private final CostModel cost;
    private final double timeScale;
    private final int lightPrompts;
    private final int backlog;
    private final GatewayOptions gateway;
    private final PrintStream out;

    /** {@code prompts}: the heavy tenant's requests in the isolation runs, and both tenants' in the shares runs. */
    FairnessBench(CostModel cost, double timeScale, int prompts, GatewayOptions gateway, PrintStream out) {
        this.cost = cost;
        this.timeScale = timeScale;
        this.lightPrompts = Math.max(20, prompts / LOAD_RATIO);
        this.backlog = Math.max(100, prompts / 2);
        this.gateway = gateway;
        this.out = out;
    }

    ObjectNode run() throws Exception {
        Latency alone = isolation(false, true);
        Latency fair = isolation(true, true);
        Latency fifo = isolation(true, false);
        double fairShare = heavyShare(true);
        double fifoShare = heavyShare(false);
        double weightShare = HEAVY_WEIGHT / (HEAVY_WEIGHT + 1);

        out.printf("%-44s %10s %10s %8s %12s %8s%n", "light tenant, " + lightPrompts + " requests", "p50 ms",
                "p99 ms", "ratio", "p99 TTFT ms", "ratio");
        out.printf(Locale.ROOT, "%-44s %10.0f %10.0f %8s %12.1f %8s%n", "alone", alone.p50Ms, alone.p99Ms, "",
                alone.p99TtftMs, "");
        for (Latency beside : List.of(fair, fifo)) {
            out.printf(Locale.ROOT, "%-44s %10.0f %10.0f %8.2f %12.1f %8.2f%n", beside == fair
                            ? "beside 10x heavy load, fair queuing" : "beside 10x heavy load, first in first out",
                    beside.p50Ms, beside.p99Ms, beside.p99Ms / alone.p99Ms, beside.p99TtftMs,
                    beside.p99TtftMs / alone.p99TtftMs);
        }
        out.printf(Locale.ROOT, "heavy tenant's token share while both wait (weights %.0f:1, its due %.3f): "
                + "%.3f fair queuing, %.3f first in first out%n", HEAVY_WEIGHT, weightShare, fairShare, fifoShare);
        out.printf(Locale.ROOT, "ratio: light p99 beside heavy/alone %.2f (target <= 1.5), first in first out %.2f; "
                + "share off its weight's by %.1f %% (target <= 10 %%)%n", fair.p99Ms / alone.p99Ms,
                fifo.p99Ms / alone.p99Ms, 100 * Math.abs(fairShare - weightShare) / weightShare);

        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "fairness").put("profile", cost.name()).put("time_scale", timeScale)
                .put("light_prompts", lightPrompts).put("heavy_prompts", lightPrompts * LOAD_RATIO)
                .put("light_interval_model_ms", LIGHT_INTERVAL_MS).put("backlog_per_tenant", backlog)
                .put("light_alone_p50_ms", alone.p50Ms).put("light_alone_p99_ms", alone.p99Ms)
                .put("light_beside_heavy_p50_ms", fair.p50Ms).put("light_beside_heavy_p99_ms", fair.p99Ms)
                .put("light_beside_heavy_fifo_p99_ms", fifo.p99Ms).put("ratio", fair.p99Ms / alone.p99Ms)
                .put("light_alone_p99_ttft_ms", alone.p99TtftMs).put("light_beside_heavy_p99_ttft_ms", fair.p99TtftMs)
                .put("light_beside_heavy_fifo_p99_ttft_ms", fifo.p99TtftMs)
                .put("ttft_ratio", fair.p99TtftMs / alone.p99TtftMs)
                .put("fifo_ratio", fifo.p99Ms / alone.p99Ms).put("heavy_weight", HEAVY_WEIGHT)
                .put("heavy_due_share", weightShare).put("heavy_share", fairShare).put("heavy_fifo_share", fifoShare)
                .put("share_error", Math.abs(fairShare - weightShare) / weightShare);
        return json;
    }

    /** The light tenant's end-to-end latencies and p99 time to first token, in model milliseconds. */
    private record Latency(double p50Ms, double p99Ms, double p99TtftMs) {}

    /**
     * The light tenant's latency on a fresh stack, with the heavy tenant's ten-fold load beside it or not, fairly
     * queued or first in first out; both tenants' requests arrive at a steady pace.
     */
    private Latency isolation(boolean heavy, boolean fair) throws Exception {
        Histogram latency = new Histogram(3);
        Histogram ttft = new Histogram(3);
        List<CompletableFuture<Gateway.Answer>> all = new ArrayList<>();
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        try (SglangLane lane = new SglangLane(cost, timeScale, gateway)) {
            warm(lane.gateway);
            long intervalNanos = Math.round(TimeUnit.MILLISECONDS.toNanos(LIGHT_INTERVAL_MS) / timeScale);
            for (int i = 0; i < lightPrompts; i++) {
                int index = i;
                pace.schedule(() -> {
                    long sent = System.nanoTime();
                    all.add(submit(lane.gateway, "l" + index, index, fair ? new Share(LIGHT, 1) : Share.DEFAULT)
                            .whenComplete((answer, failure) -> {
                                record(latency, sent, System.nanoTime());
                                if (answer != null) {
                                    record(ttft, sent, answer.result().firstTokenAtNanos());
                                }
                            }));
                }, i * intervalNanos, TimeUnit.NANOSECONDS);
                for (int j = 0; heavy && j < LOAD_RATIO; j++) {
                    int heavyIndex = i * LOAD_RATIO + j;
                    pace.schedule(() -> all.add(submit(lane.gateway, "h" + heavyIndex, heavyIndex,
                                    fair ? new Share(HEAVY, 1) : Share.DEFAULT)),
                            i * intervalNanos + j * intervalNanos / LOAD_RATIO, TimeUnit.NANOSECONDS);
                }
            }
            pace.shutdown();
            pace.awaitTermination(1, TimeUnit.HOURS);
            all.forEach(CompletableFuture::join);
        } finally {
            pace.shutdownNow();
        }
        return new Latency(latency.getValueAtPercentile(50) / 1_000.0, latency.getValueAtPercentile(99) / 1_000.0,
                ttft.getValueAtPercentile(99) / 1_000.0);
    }

    /**
     * The heavy tenant's share of the tokens served (prompt and completion) while both tenants still wait: each has
     * {@link #backlog} requests queued at once, the heavy one's first, with weights {@value #HEAVY_WEIGHT} and 1
     * under fair queuing; counted until either tenant's last request is answered.
     */
    private double heavyShare(boolean fair) throws Exception {
        try (SglangLane lane = new SglangLane(cost, timeScale, gateway)) {
            warm(lane.gateway);
            List<CompletableFuture<Gateway.Answer>> heavy = new ArrayList<>();
            List<CompletableFuture<Gateway.Answer>> light = new ArrayList<>();
            for (int i = 0; i < backlog; i++) {
                heavy.add(submit(lane.gateway, "h" + i, i, fair ? new Share(HEAVY, HEAVY_WEIGHT) : Share.DEFAULT));
            }
            for (int i = 0; i < backlog; i++) {
                light.add(submit(lane.gateway, "l" + i, i, fair ? new Share(LIGHT, 1) : Share.DEFAULT));
            }
            CompletableFuture.anyOf(CompletableFuture.allOf(heavy.toArray(CompletableFuture[]::new)),
                    CompletableFuture.allOf(light.toArray(CompletableFuture[]::new))).join();
            // Answers read now: those of requests still at the server when the first tenant finished do not count.
            long heavyTokens = servedSoFar(heavy);
            long lightTokens = servedSoFar(light);
            heavy.forEach(CompletableFuture::join);
            light.forEach(CompletableFuture::join);
            return (double) heavyTokens / (heavyTokens + lightTokens);
        }
    }

    private static long servedSoFar(List<CompletableFuture<Gateway.Answer>> answers) {
        return answers.stream().filter(answer -> answer.isDone() && !answer.isCompletedExceptionally())
                .map(answer -> answer.join().result())
                .mapToLong(result -> result.promptTokens() + result.completionTokens()).sum();
    }

    private static CompletableFuture<Gateway.Answer> submit(Gateway gateway, String id, int index, Share share) {
        return gateway.submit(GenerationRequest.of(id, Workload.prompt(index), Workload.MAX_TOKENS), false, 0, share);
    }

    /** Warms the path (JIT, channel) so the first figures are the server's, not start-up's. */
    private static void warm(Gateway gateway) {
        List<CompletableFuture<Gateway.Answer>> warming = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            warming.add(gateway.submit(GenerationRequest.of("w" + i, "Warm up " + i, 4), false, 0));
        }
        warming.forEach(CompletableFuture::join);
    }

    /** Records {@code sentNanos} to {@code atNanos} in model microseconds. */
    private void record(Histogram histogram, long sentNanos, long atNanos) {
        long modelMicros = Math.max(1, Math.round((atNanos - sentNanos) * timeScale / 1_000));
        synchronized (histogram) {
            histogram.recordValue(modelMicros);
        }
    }
}
