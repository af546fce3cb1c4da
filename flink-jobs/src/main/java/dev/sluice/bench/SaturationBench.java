package dev.sluice.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.triton.TritonBackend;
import dev.sluice.backend.triton.TritonModelOptions;
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
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * The {@code saturation} benchmark: every prompt offered at once to an emulated Triton server, and the
 * steady-state output tokens per second divided by the most that server could produce for this workload
 * ({@link CostModel#maxOutputTokensPerSecond}). Side by side on fresh servers: Sluice's gateway (batches on the
 * batch dimension, adaptive concurrency), a naive client sending each prompt in its own call, all at once, and
 * Flink {@code ML_PREDICT}'s request pattern at its 2.3.0 defaults: one request per row, at most
 * {@value #ML_PREDICT_CONCURRENCY} in flight per subtask ({@code table.exec.async-ml-predict.max-concurrent-operations}
 * = 10) over {@value #ML_PREDICT_SUBTASKS} subtasks. The pattern is reproduced because the provider itself,
 * {@code flink-model-triton} 2.3.0, refuses every single-column model before its first request.
 */
final class SaturationBench {

    private static final String MODEL = "ensemble";
    static final int ML_PREDICT_CONCURRENCY = 10;
    static final int ML_PREDICT_SUBTASKS = 2;

    private final CostModel cost;
    private final double timeScale;
    private final int prompts;
    private final GatewayOptions gateway;
    private final PrintStream out;

    SaturationBench(CostModel cost, double timeScale, int prompts, GatewayOptions gateway, PrintStream out) {
        this.cost = cost;
        this.timeScale = timeScale;
        this.prompts = prompts;
        this.gateway = gateway;
        this.out = out;
    }

    /**
     * One client's run.
     *
     * @param client the client's name
     * @param tokensPerSecond steady output tokens per second, model time
     * @param possible the server's maximum for the workload
     * @param meanPromptTokens the workload's mean prompt
     * @param meanOutputTokens the workload's mean completion
     * @param meanBatch mean sequences per GPU step
     */
    record Run(String client, double tokensPerSecond, double possible, double meanPromptTokens,
            double meanOutputTokens, double meanBatch) {
        double ratio() {
            return tokensPerSecond / possible;
        }
    }

    ObjectNode run() throws Exception {
        List<Run> runs = List.of(
                measure("sluice", backend -> {
                    Gateway sluice = new Gateway(backend, gateway);
                    return request -> sluice.submit(request, false, 0).thenApply(Gateway.Answer::result);
                }),
                measure("naive", backend -> request -> backend.generate(List.of(request))
                        .thenApply(results -> results.get(0))),
                measure("ml_predict", backend -> {
                    Semaphore inFlight = new Semaphore(ML_PREDICT_CONCURRENCY * ML_PREDICT_SUBTASKS);
                    return request -> {
                        inFlight.acquireUninterruptibly();
                        return backend.generate(List.of(request)).thenApply(results -> results.get(0))
                                .whenComplete((result, failure) -> inFlight.release());
                    };
                }));
        out.printf("%-10s %16s %16s %8s %12s%n", "client", "out tokens/s", "possible", "ratio", "mean batch");
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("scenario", "saturation").put("profile", cost.name()).put("prompts", prompts)
                .put("time_scale", timeScale).put("gateway_max_batch_size", gateway.maxBatchSize());
        ArrayNode results = json.putArray("runs");
        for (Run run : runs) {
            out.printf(Locale.ROOT, "%-10s %16.0f %16.0f %8.3f %12.1f%n", run.client(), run.tokensPerSecond(),
                    run.possible(), run.ratio(), run.meanBatch());
            results.addObject().put("client", run.client()).put("tokens_per_second", run.tokensPerSecond())
                    .put("possible", run.possible()).put("ratio", run.ratio()).put("mean_batch", run.meanBatch())
                    .put("mean_prompt_tokens", run.meanPromptTokens())
                    .put("mean_output_tokens", run.meanOutputTokens());
        }
        Run sluice = runs.get(0);
        Run naive = runs.get(1);
        Run mlPredict = runs.get(2);
        json.put("sluice_ratio", sluice.ratio())
                .put("sluice_over_naive", sluice.tokensPerSecond() / naive.tokensPerSecond())
                .put("sluice_over_ml_predict", sluice.tokensPerSecond() / mlPredict.tokensPerSecond());
        out.printf(Locale.ROOT, "ratio: sluice %.3f of possible; naive %.3f; ml_predict pattern %.3f; "
                + "sluice/naive %.2f; sluice/ml_predict %.2f%n", sluice.ratio(), naive.ratio(), mlPredict.ratio(),
                sluice.tokensPerSecond() / naive.tokensPerSecond(),
                sluice.tokensPerSecond() / mlPredict.tokensPerSecond());
        return json;
    }

    private Run measure(String client,
            Function<TritonBackend, Function<GenerationRequest, CompletableFuture<GenerationResult>>> clientFactory)
            throws Exception {
        InflightBatchingEngine engine = new InflightBatchingEngine(cost, timeScale);
        try (EmulatorServer server = EmulatorServer.builder().model(EmulatedModel.ensemble(MODEL, engine, 64))
                .start()) {
            ManagedChannel channel = GrpcChannels.plaintext(server.endpoint());
            try {
                TritonBackend backend = new TritonBackend(channel, server.endpoint(),
                        TritonModelOptions.ofDefaults(MODEL));
                backend.checkReady(Duration.ofSeconds(30));
                Function<GenerationRequest, CompletableFuture<GenerationResult>> send = clientFactory.apply(backend);
                List<CompletableFuture<GenerationResult>> answers = new ArrayList<>(prompts);
                ThroughputProbe probe = new ThroughputProbe(engine);
                for (int i = 0; i < prompts; i++) {
                    answers.add(send.apply(GenerationRequest.of("p" + i, Workload.prompt(i), Workload.MAX_TOKENS)));
                }
                List<GenerationResult> results = answers.stream().map(CompletableFuture::join).toList();
                probe.close();
                double meanPrompt = results.stream().mapToInt(GenerationResult::promptTokens).average().orElse(0);
                double meanOutput = results.stream().mapToInt(GenerationResult::completionTokens).average().orElse(0);
                double possible = cost.maxOutputTokensPerSecond((int) Math.round(meanPrompt),
                        (int) Math.round(meanOutput));
                return new Run(client, probe.steadyTokensPerSecond(timeScale), possible, meanPrompt, meanOutput,
                        engine.stats().meanBatch());
            } finally {
                GrpcChannels.close(channel);
            }
        }
    }
}
