package dev.sluice.emulator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.BackendSpec.Protocol;
import dev.sluice.backend.Backends;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.backend.openai.OpenAiServer;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.InflightBatchingEngine;
import dev.sluice.emulator.openai.Dialect;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Each emulated server's metrics port, scraped over HTTP while requests run through it and after: the figures follow
 * what it served.
 */
class EmulatorMetricsITCase {

    /** 20 ms a step and no other cost: an answer of a few dozen tokens runs long enough to be scraped mid-way. */
    private static final CostModel SLOW_STEPS =
            new CostModel("slow-steps", 20_000_000, 0, 0, 1_000_000, 64, 100_000, 0);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String MODEL = "emulated-llm";

    @Test
    void tritonCountsRequestsAndInferencesAndShowsItsExecutorWhileItRuns() throws Exception {
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.TRITON).metrics(0)
                .model(EmulatedModel.ensemble(MODEL, new InflightBatchingEngine(SLOW_STEPS, 1), 8)).start();
                Client client = Client.of(BackendSpec.triton(server.endpoint(), MODEL, 8, TIMEOUT))) {
            // Four prompts in one call: one request of Triton's, four inferences.
            CompletableFuture<List<GenerationResult>> answers = client.backend.generate(prompts(4));

            // The four are admitted one after the other, within a step, and each runs for dozens of steps.
            ScrapedMetrics running = awaitScrape(server, scraped -> trtLlm(scraped, "active") == 4);
            assertThat(trtLlm(running, "max")).isEqualTo(SLOW_STEPS.maxActive());
            assertThat(kvBlocks(running, "used")).isPositive();
            assertThat(kvBlocks(running, "free")).isEqualTo(kvBlocks(running, "max") - kvBlocks(running, "used"));
            assertThat(kvBlocks(running, "fraction")).isPositive().isLessThan(1);

            answers.join();
            ScrapedMetrics done = ScrapedMetrics.scrape("127.0.0.1", server.metricsPort());
            assertThat(triton(done, "nv_inference_request_success")).isEqualTo(1);
            assertThat(triton(done, "nv_inference_count")).isEqualTo(4);
            assertThat(triton(done, "nv_inference_exec_count")).isEqualTo(1);
            assertThat(done.sum("nv_inference_request_failure", "model", MODEL)).isZero();
            double queued = triton(done, "nv_inference_queue_duration_us");
            double computed = triton(done, "nv_inference_compute_infer_duration_us");
            assertThat(queued).isNotNegative();
            assertThat(computed).isGreaterThanOrEqualTo(20_000);
            assertThat(triton(done, "nv_inference_request_duration_us")).isCloseTo(queued + computed, within(1.0));
            assertThat(trtLlm(done, "active")).isZero();
            assertThat(trtLlm(done, "waiting")).isZero();
            assertThat(kvBlocks(done, "used")).isZero();

            // A request refused before it runs fails with reason OTHER, and succeeds nowhere.
            assertThatThrownBy(() -> GRPCInferenceServiceGrpc.newBlockingStub(client.channel).modelInfer(
                    ModelInferRequest.newBuilder().setModelName(MODEL)
                            .putParameters("triton_bogus", InferParameter.newBuilder().setBoolParam(true).build())
                            .build())).isInstanceOf(StatusRuntimeException.class);
            ScrapedMetrics refused = ScrapedMetrics.scrape("127.0.0.1", server.metricsPort());
            assertThat(refused.value("nv_inference_request_failure", "model", MODEL, "reason", "OTHER")).isEqualTo(1);
            assertThat(refused.sum("nv_inference_request_failure", "model", MODEL)).isEqualTo(1);
            assertThat(triton(refused, "nv_inference_request_success")).isEqualTo(1);
        }
    }

    @Test
    void sglangCountsTokensAndRequestsAndShowsItsSchedulerWhileItRuns() throws Exception {
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.SGLANG_SMG).metrics(0)
                .model(EmulatedModel.sglang(MODEL, new InflightBatchingEngine(SLOW_STEPS, 1))).start();
                Client client = Client.of(new BackendSpec(Protocol.SGLANG_SMG, server.endpoint(), MODEL, 1, null,
                        null, null, null, null, TIMEOUT, false, null, false))) {
            List<CompletableFuture<List<GenerationResult>>> answers = oneCallEach(client.backend, prompts(3));

            String[] model = {"model_name", MODEL};
            ScrapedMetrics running = awaitScrape(server, scraped -> scraped.value("sglang:num_running_reqs", model) > 0);
            assertThat(running.value("sglang:token_usage", model)).isPositive();
            assertThat(running.value("sglang:num_used_tokens", model)).isPositive();
            assertThat(running.value("sglang:num_queue_reqs", model)).isNotNegative();

            List<GenerationResult> results = joined(answers);
            ScrapedMetrics done = ScrapedMetrics.scrape("127.0.0.1", server.metricsPort());
            assertThat(done.value("sglang:num_requests_total", model)).isEqualTo(3);
            assertThat(done.value("sglang:prompt_tokens_total", model))
                    .isEqualTo(results.stream().mapToInt(GenerationResult::promptTokens).sum());
            assertThat(done.value("sglang:generation_tokens_total", model))
                    .isEqualTo(results.stream().mapToInt(GenerationResult::completionTokens).sum());
            assertThat(done.value("sglang:queue_time_seconds_count", model)).isEqualTo(3);
            assertThat(done.value("sglang:num_aborted_requests_total", model)).isZero();
            assertThat(done.value("sglang:num_running_reqs", model)).isZero();
            assertThat(done.value("sglang:token_usage", model)).isZero();
        }
    }

    @Test
    void vllmCountsRequestsByFinishReasonAndShowsItsSchedulerWhileItRuns() throws Exception {
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.OPENAI).dialect(Dialect.VLLM)
                .metrics(0).model(EmulatedModel.sglang(MODEL, new InflightBatchingEngine(SLOW_STEPS, 1))).start();
                Client client = Client.of(new BackendSpec(Protocol.OPENAI, server.endpoint(), MODEL, 1, null, null,
                        null, null, null, TIMEOUT, false, OpenAiServer.VLLM, false))) {
            List<CompletableFuture<List<GenerationResult>>> answers = oneCallEach(client.backend, prompts(3));

            String[] model = {"model_name", MODEL};
            ScrapedMetrics running = awaitScrape(server,
                    scraped -> scraped.value("vllm:num_requests_running", model) > 0);
            assertThat(running.value("vllm:kv_cache_usage_perc", model)).isPositive().isLessThan(1);
            assertThat(running.value("vllm:num_requests_waiting", model)).isNotNegative();

            List<GenerationResult> results = joined(answers);
            ScrapedMetrics done = ScrapedMetrics.scrape("127.0.0.1", server.metricsPort());
            for (String reason : List.of("stop", "length", "abort")) {
                assertThat(done.value("vllm:request_success_total", "model_name", MODEL, "finished_reason", reason))
                        .as(reason).isEqualTo(results.stream().filter(r -> r.finishReason().equals(reason)).count());
            }
            assertThat(done.sum("vllm:request_success_total", model)).isEqualTo(3);
            assertThat(done.value("vllm:prompt_tokens_total", model))
                    .isEqualTo(results.stream().mapToInt(GenerationResult::promptTokens).sum());
            assertThat(done.value("vllm:generation_tokens_total", model))
                    .isEqualTo(results.stream().mapToInt(GenerationResult::completionTokens).sum());
            assertThat(done.value("vllm:request_queue_time_seconds_count", model)).isEqualTo(3);
            assertThat(done.value("vllm:num_requests_running", model)).isZero();
        }
    }

    /**
     * TensorRT-LLM's gauges are its C++ backend's, under the model running it: a sole ensemble's under upstream's
     * tensorrt_llm, several ensembles' under a tensorrt_llm model each, and an LLM-API model, Python, sets none.
     */
    @Test
    void tritonShowsEachEnsemblesExecutorUnderItsTensorrtLlmModel() throws Exception {
        InflightBatchingEngine idle = new InflightBatchingEngine(SLOW_STEPS, 1);
        try (EmulatorServer server = EmulatorServer.builder().protocol(Protocol.TRITON).metrics(0)
                .model(EmulatedModel.ensemble("a", idle, 8)).model(EmulatedModel.ensemble("b", idle, 8))
                .model(new EmulatedModel("llm", idle, 0, EmulatedModel.TritonTensorProfile.LLM_API, false, null))
                .start()) {
            ScrapedMetrics scraped = ScrapedMetrics.scrape("127.0.0.1", server.metricsPort());

            assertThat(scraped.samples()).filteredOn(sample -> sample.name().startsWith("nv_trt_llm_"))
                    .extracting(sample -> sample.labels().get("model")).containsOnly("tensorrt_llm_a", "tensorrt_llm_b");
            assertThat(scraped.value("nv_trt_llm_request_metrics", "model", "tensorrt_llm_a", "request_type", "max"))
                    .isEqualTo(SLOW_STEPS.maxActive());
            assertThat(scraped.value("nv_inference_request_success", "model", "llm")).isZero();
        }
    }

    @Test
    void aDialectWhoseMetricsAreNotEmulatedRefusesAMetricsPort() {
        EmulatorServer.Builder tgi = EmulatorServer.builder().protocol(Protocol.OPENAI).dialect(Dialect.TGI)
                .metrics(0).model(EmulatedModel.sglang(MODEL, new InflightBatchingEngine(CostModel.instant(), 1)));

        assertThatThrownBy(tgi::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("TGI");
    }

    private static double triton(ScrapedMetrics scraped, String name) {
        return scraped.value(name, "model", MODEL, "version", "1");
    }

    private static double trtLlm(ScrapedMetrics scraped, String requestType) {
        return scraped.value("nv_trt_llm_request_metrics", "model", "tensorrt_llm", "request_type", requestType);
    }

    private static double kvBlocks(ScrapedMetrics scraped, String blockType) {
        return scraped.value("nv_trt_llm_kv_cache_block_metrics", "model", "tensorrt_llm", "kv_cache_block_type",
                blockType);
    }

    private static List<GenerationRequest> prompts(int count) {
        return IntStream.range(0, count).mapToObj(i -> GenerationRequest.of("r" + i, "prompt number " + i, 40))
                .toList();
    }

    private static List<CompletableFuture<List<GenerationResult>>> oneCallEach(InferenceBackend backend,
            List<GenerationRequest> requests) {
        return requests.stream().map(request -> backend.generate(List.of(request))).toList();
    }

    private static List<GenerationResult> joined(List<CompletableFuture<List<GenerationResult>>> answers) {
        List<GenerationResult> results = new ArrayList<>();
        answers.forEach(answer -> results.addAll(answer.join()));
        return results;
    }

    /** Scrapes every few milliseconds until a scrape satisfies {@code condition}, for at most ten seconds. */
    private static ScrapedMetrics awaitScrape(EmulatorServer server, Predicate<ScrapedMetrics> condition)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        ScrapedMetrics scraped = ScrapedMetrics.scrape("127.0.0.1", server.metricsPort());
        while (!condition.test(scraped)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no scrape satisfied the condition; the last: " + scraped.samples());
            }
            Thread.sleep(5);
            scraped = ScrapedMetrics.scrape("127.0.0.1", server.metricsPort());
        }
        return scraped;
    }

    /** A ready backend and, for a gRPC protocol, its channel. */
    private record Client(InferenceBackend backend, ManagedChannel channel) implements AutoCloseable {

        static Client of(BackendSpec spec) {
            ManagedChannel channel = spec.protocol().overGrpc() ? GrpcChannels.plaintext(spec.endpoint()) : null;
            InferenceBackend backend = Backends.create(spec, channel);
            backend.checkReady(TIMEOUT);
            return new Client(backend, channel);
        }

        @Override
        public void close() {
            backend.close();
            if (channel != null) {
                GrpcChannels.close(channel);
            }
        }
    }
}
