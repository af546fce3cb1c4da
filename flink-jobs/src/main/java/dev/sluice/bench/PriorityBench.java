package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.sglang.SglangOptions;
import dev.sluice.backend.sglang.SglangSchedulerBackend;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
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
import org.HdrHistogram.Histogram;

/**
 * The {@code priority} benchmark: the p99 time to first token of interactive requests while batch work saturates
 * an emulated SGLang worker, divided by the same on the idle worker; beside it the same run with every request
 * treated alike (no priority), as a first-in first-out client would.
 */
final class PriorityBench {

    private final CostModel cost;
    private final double timeScale;
    private final int bulkPrompts;
    private final int probes;
    private final GatewayOptions gateway;
    private final PrintStream out;

    PriorityBench(CostModel cost, double timeScale, int bulkPrompts, GatewayOptions gateway, PrintStream out) {
        this.cost = cost;
        this.timeScale = timeScale;
        this.bulkPrompts = bulkPrompts;
        this.probes = Math.max(20, bulkPrompts / 50);
        this.gateway = gateway;
        this.out = out;
    }

    ObjectNode run() throws Exception {
        double idle = p99TimeToFirstToken(false, true);
        double withPriority = p99TimeToFirstToken(true, true);
        double withoutPriority = p99TimeToFirstToken(true, false);
        out.printf("%-34s %12s%n", "interactive requests", "p99 TTFT ms");
        out.printf(Locale.ROOT, "%-34s %12.1f%n", "idle worker", idle);
        out.printf(Locale.ROOT, "%-34s %12.1f%n", "under batch load, with priority", withPriority);
        out.printf(Locale.ROOT, "%-34s %12.1f%n", "under batch load, first in first out", withoutPriority);
        out.printf(Locale.ROOT, "ratio: loaded/idle p99 TTFT %.2f with priority, %.2f without (target <= 2)%n",
                withPriority / idle, withoutPriority / idle);
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "priority").put("profile", cost.name()).put("bulk_prompts", bulkPrompts)
                .put("probes", probes).put("time_scale", timeScale).put("idle_p99_ttft_ms", idle)
                .put("loaded_p99_ttft_ms", withPriority).put("loaded_fifo_p99_ttft_ms", withoutPriority)
                .put("ratio", withPriority / idle).put("fifo_ratio", withoutPriority / idle);
        return json;
    }

    /** p99 of the probes' time to first token, in model milliseconds. */
    private double p99TimeToFirstToken(boolean loaded, boolean prioritised) throws Exception {
        InflightBatchingEngine engine = new InflightBatchingEngine(cost, timeScale);
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.SGLANG_SMG)
                .model(EmulatedModel.sglang("worker", engine)).start()) {
            ManagedChannel channel = GrpcChannels.plaintext(server.endpoint());
            try {
                SglangSchedulerBackend backend = new SglangSchedulerBackend(channel, server.endpoint(),
                        new SglangOptions(null, Duration.ofMinutes(5)));
                backend.checkReady(Duration.ofSeconds(30));
                try (Gateway lane = new Gateway(backend, gateway)) {
                    // Warm the path (JIT, channel, tokenizer) so the idle figure is the server's, not start-up's.
                    for (int i = 0; i < 10; i++) {
                        lane.submit(GenerationRequest.of("w" + i, "Warm up " + i, 4), true, 0).join();
                    }
                    List<CompletableFuture<Gateway.Answer>> bulk = new ArrayList<>();
                    if (loaded) {
                        for (int i = 0; i < bulkPrompts; i++) {
                            bulk.add(lane.submit(GenerationRequest.of("b" + i, Workload.prompt(i), Workload.MAX_TOKENS),
                                    false, 0));
                        }
                        // Let the batch work fill the worker before the probes arrive.
                        Thread.sleep(Math.round(2_000 / timeScale));
                    }
                    Histogram ttft = new Histogram(3);
                    for (int i = 0; i < probes; i++) {
                        long sent = System.nanoTime();
                        Gateway.Answer answer = lane.submit(GenerationRequest.of("i" + i, "Quick question " + i,
                                16), prioritised, 0).join();
                        ttft.recordValue(Math.max(1, Math.round((answer.result().firstTokenAtNanos() - sent)
                                * timeScale / 1_000)));
                    }
                    bulk.forEach(CompletableFuture::join);
                    return ttft.getValueAtPercentile(99) / 1_000.0;
                } finally {
                    backend.close();
                }
            } finally {
                GrpcChannels.close(channel);
            }
        }
    }
}
