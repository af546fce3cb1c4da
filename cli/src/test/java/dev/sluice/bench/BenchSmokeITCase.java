package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.serde.JsonAvro;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Each benchmark at a tiny size, to keep it working; the numbers themselves are not asserted. */
class BenchSmokeITCase {

    /** Runs a scenario; returns its printed lines and its JSON result. */
    private static Run bench(Path results, String... args) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int code;
        try {
            List<String> all = new java.util.ArrayList<>(List.of(args));
            all.addAll(List.of("--results", results.toString()));
            code = new CommandLine(new BenchCommand()).execute(all.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        Path file;
        try (Stream<Path> files = Files.list(results)) {
            file = files.findFirst().orElseThrow();
        }
        return new Run(printed.toString(StandardCharsets.UTF_8).lines().toList(),
                JsonAvro.mapper().readTree(file.toFile()));
    }

    private record Run(List<String> lines, JsonNode json) {
        String ratioLine() {
            // The last line names the JSON file; the ratio line comes just before it.
            return lines.get(lines.size() - 2);
        }
    }

    /** ML_PREDICT's pattern swept over two concurrencies, each ordered and unordered, and its default beside them. */
    @Test
    void saturationPrintsItsRatioLineLastAndWritesJson(@TempDir Path results) throws Exception {
        Run run = bench(results, "saturation", "--prompts", "60", "--time-scale", "20",
                "--ml-predict-concurrency", "2,4");

        assertThat(run.ratioLine()).startsWith("ratio: sluice").contains("(target >= 1.2)")
                .contains("through the pipeline");
        assertThat(run.json().path("scenario").asText()).isEqualTo("saturation");
        assertThat(run.json().path("runs")).extracting(r -> r.path("client").asText()).containsExactly(
                "sluice_pipeline", "sluice", "sluice_without_load_report", "naive", "ml_predict_ordered_2", "ml_predict_unordered_2", "ml_predict_ordered_4",
                "ml_predict_unordered_4", "ml_predict_ordered_10", "ml_predict_unordered_10");
        assertThat(run.json().path("ml_predict_default").asText()).isEqualTo("ml_predict_ordered_10");
        assertThat(run.json().path("sluice_over_ml_predict").asDouble()).isPositive();
        assertThat(run.json().path("ml_predict_best").path("client").asText()).startsWith("ml_predict_");
        assertThat(run.json().path("ml_predict_best").path("ratio").asDouble()).isPositive();
        assertThat(run.json().path("sluice_over_ml_predict_best").asDouble()).isPositive()
                .isLessThanOrEqualTo(run.json().path("sluice_over_ml_predict").asDouble());
        assertThat(run.json().path("sluice_over_naive").asDouble()).isPositive();
        assertThat(run.json().path("sluice_ratio").asDouble()).isPositive();
        // Every prompt went through Kafka, the job and its gateway: the lane fails unless each has one completion.
        assertThat(run.json().path("sluice_pipeline_ratio").asDouble()).isPositive();
        assertThat(run.json().path("sluice_pipeline_over_naive").asDouble()).isPositive();
        JsonNode provenance = run.json().path("provenance");
        assertThat(provenance.path("command").asText()).isEqualTo("./sluice bench saturation --prompts 60 "
                + "--time-scale 20 --ml-predict-concurrency 2,4 --results " + results);
        assertThat(provenance.path("commit").asText()).isNotBlank();
        assertThat(provenance.path("machine").path("cores").asInt()).isPositive();
        assertThat(provenance.path("process_cpu_seconds").asDouble()).isPositive();
    }

    /** Over HTTP, the same clients, and Sluice over gRPC beside them on the same profile. */
    @Test
    void saturationOverOpenAiComparesTheHttpPathWithTheGrpcPath(@TempDir Path results) throws Exception {
        Run run = bench(results, "saturation", "--prompts", "60", "--time-scale", "20", "--protocol", "openai",
                "--ml-predict-concurrency", "10");

        assertThat(run.ratioLine()).startsWith("ratio: sluice").contains("sluice http/grpc");
        assertThat(run.json().path("protocol").asText()).isEqualTo("openai");
        assertThat(BenchReport.key(run.json())).isEqualTo("saturation-openai");
        assertThat(run.json().path("runs")).extracting(r -> r.path("client").asText()).containsExactly("sluice",
                "naive", "ml_predict_ordered_10", "ml_predict_unordered_10", "sluice_grpc");
        assertThat(run.json().path("sluice_http_over_grpc").asDouble()).isPositive();
    }

    @Test
    void priorityPrintsItsRatioLineLastAndWritesJson(@TempDir Path results) throws Exception {
        Run run = bench(results, "priority", "--prompts", "60", "--time-scale", "20");

        assertThat(run.ratioLine()).startsWith("ratio: loaded/idle")
                .contains("with a load report (sglang)", "(triton with metrics)", "without (triton)");
        assertThat(run.json().path("scenario").asText()).isEqualTo("priority");
        assertThat(run.json().path("idle_p99_ttft_ms").asDouble()).isPositive();
        assertThat(run.json().path("no_load_report_ratio").asDouble()).isPositive();
        assertThat(run.json().path("servers")).extracting(s -> s.path("server").asText())
                .containsExactly("sglang", "triton_metrics", "triton");
        assertThat(run.json().path("servers")).allSatisfy(s -> {
            assertThat(s.path("loaded_p99_ttft_ms").asDouble()).isPositive();
            assertThat(s.path("bulk_loaded_tokens_per_second").asDouble()).isPositive();
            assertThat(s.path("first_of_spell_ttft_ms").asDouble()).isPositive();
        });
        assertThat(run.json().path("first_of_spell_ttft_ms").asDouble()).isPositive();
        assertThat(run.json().path("probes").asInt()).isEqualTo(PriorityBench.PROBES);
        assertThat(run.json().path("servers")).allSatisfy(s -> assertThat(s.has("probed_under_load")).isTrue());
    }

    @Test
    void fairnessPrintsItsRatioLineLastAndWritesJson(@TempDir Path results) throws Exception {
        Run run = bench(results, "fairness", "--prompts", "200", "--time-scale", "20");

        assertThat(run.ratioLine()).startsWith("ratio: light p99 beside heavy/alone");
        assertThat(run.json().path("scenario").asText()).isEqualTo("fairness");
        assertThat(run.json().path("light_alone_p99_ms").asDouble()).isPositive();
        assertThat(run.json().path("heavy_share").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void prefixPrintsItsRatioLineLastAndWritesJson(@TempDir Path results) throws Exception {
        Run run = bench(results, "prefix", "--prompts", "64", "--time-scale", "20");

        assertThat(run.ratioLine()).startsWith("ratio: cache hits");
        assertThat(run.json().has("hit_rate_on")).isTrue();
        assertThat(run.json().get("hit_rate_on").asDouble()).isBetween(0.0, 1.0);
        assertThat(run.json().get("hit_rate_affinity_only").asDouble()).isBetween(0.0, 1.0);
        assertThat(run.json().get("gpu_busy_on").asDouble()).isBetween(0.0, 1.0);
        assertThat(BenchReport.key(run.json())).isEqualTo("prefix");
    }

    @Test
    void prefixWithLongSystemPromptsIsAVariantOfItsOwn(@TempDir Path results) throws Exception {
        Run run = bench(results, "prefix", "--prompts", "64", "--time-scale", "20", "--long-prefix");

        assertThat(BenchReport.key(run.json())).isEqualTo("prefix-long");
        assertThat(run.json().get("system_prompt_tokens").asInt()).isGreaterThan(1_500);
        assertThat(run.json().get("hit_rate_on").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void overheadPrintsItsRatioLineLastAndWritesJson(@TempDir Path results) throws Exception {
        // More than a consumer's poll (500 records), so the measured completions are seen at different times.
        Run run = bench(results, "overhead", "--prompts", "2000");

        assertThat(run.ratioLine()).startsWith("ratio: pipeline/bare").contains("bare with metrics/bare");
        assertThat(run.json().path("bare_prompts_per_second").asDouble()).isPositive();
        assertThat(run.json().path("bare_with_metrics_prompts_per_second").asDouble()).isPositive();
        assertThat(run.json().path("pipeline_prompts_per_second").asDouble()).isPositive();
    }

    @Test
    void memoryPrintsItsRatioLineLastAndWritesJson(@TempDir Path results) throws Exception {
        Run run = bench(results, "memory", "--prompts", "2000");

        assertThat(run.ratioLine()).startsWith("ratio: heap slope after warm-up");
        assertThat(run.json().path("samples").size()).isPositive();
    }

    @Test
    void batchRunsOneFileThroughBulkSubmitAndThroughTheApi(@TempDir Path results) throws Exception {
        Run run = bench(results, "batch", "--prompts", "60", "--time-scale", "20", "--config",
                Path.of("..", "config", "sluice.yaml").toString());

        assertThat(run.ratioLine()).startsWith("ratio: batch API/bulk submit");
        assertThat(run.json().path("bulk_done").asInt() + run.json().path("bulk_failed").asInt()).isEqualTo(60);
        assertThat(run.json().path("api_done").asInt() + run.json().path("api_failed").asInt()).isEqualTo(60);
        assertThat(run.json().path("ratio").asDouble()).isPositive();
    }

    /** A small file, but through a real {@code sluice serve} JVM with the bench's small heap, to the broker. */
    @Test
    void batchUploadPublishesEveryLineFromAServeWithASmallHeap(@TempDir Path results) throws Exception {
        Run run = bench(results, "batch-upload", "--prompts", "300", "--config",
                Path.of("..", "config", "sluice.yaml").toString());

        assertThat(run.ratioLine()).startsWith("ratio: heap after full GC / heap limit");
        assertThat(run.json().path("status").asText()).isEqualTo("in_progress");
        assertThat(run.json().path("requests_published").asInt()).isEqualTo(300);
        assertThat(run.json().path("bytes").asLong()).isGreaterThan(300L * 3_900);
        assertThat(run.json().path("peak_heap_after_full_gc_mb").asLong()).isBetween(0L, (long) UploadBench.HEAP_MB);
    }

    @Test
    void profileComparesTheProfileWithEveryPublishedRow(@TempDir Path results) throws Exception {
        Run run = bench(results, "profile");

        assertThat(run.ratioLine()).startsWith("largest error of the profile against a published row");
        assertThat(run.json().path("rows")).hasSize(10);
        assertThat(run.json().path("rows").get(0).path("isl_osl").asText()).isEqualTo("128/128");
        assertThat(run.json().path("largest_error_percent").asDouble()).isEqualTo(24.0);
    }
}
