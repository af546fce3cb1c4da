package dev.sluice.emulator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.emulator.metrics.MetricsPage.Type;
import org.junit.jupiter.api.Test;

/** Tests for {@link MetricsPage}. */
class MetricsPageTest {

    @Test
    void aFamilyIsItsHelpItsTypeAndItsSamples() {
        MetricsPage page = new MetricsPage().family("nv_inference_count", Type.COUNTER, "Number of inferences")
                .sample("nv_inference_count", 42, "model", "ensemble", "version", "1")
                .sample("nv_inference_count", 0.25, "model", "other", "version", "1");

        assertThat(page.toString()).isEqualTo("""
                # HELP nv_inference_count Number of inferences
                # TYPE nv_inference_count counter
                nv_inference_count{model="ensemble",version="1"} 42
                nv_inference_count{model="other",version="1"} 0.25
                """);
    }

    @Test
    void labelValuesAreEscapedSoAnyModelNameReadsBack() {
        String name = "Qwen/Qwen2.5 \"7B\" \\ v2\nnext";
        MetricsPage page = new MetricsPage().metric("sglang:token_usage", Type.GAUGE, "The token usage.", 0.5,
                "model_name", name);

        assertThat(page.toString()).contains("model_name=\"Qwen/Qwen2.5 \\\"7B\\\" \\\\ v2\\nnext\"");
        assertThat(ScrapedMetrics.parse(page.toString()).value("sglang:token_usage", "model_name", name))
                .isEqualTo(0.5);
    }

    @Test
    void histogramTotalsAreAnInfiniteBucketASumAndACount() {
        ScrapedMetrics scraped = ScrapedMetrics.parse(new MetricsPage()
                .histogramTotals("vllm:request_queue_time_seconds", "Queue time.", 1.5, 3, "model_name", "m")
                .toString());

        assertThat(scraped.names()).containsExactly("vllm:request_queue_time_seconds_bucket",
                "vllm:request_queue_time_seconds_count", "vllm:request_queue_time_seconds_sum");
        assertThat(scraped.value("vllm:request_queue_time_seconds_bucket", "model_name", "m", "le", "+Inf"))
                .isEqualTo(3);
        assertThat(scraped.value("vllm:request_queue_time_seconds_sum", "model_name", "m")).isEqualTo(1.5);
        assertThat(scraped.value("vllm:request_queue_time_seconds_count", "model_name", "m")).isEqualTo(3);
    }

    @Test
    void labelsComeInPairs() {
        assertThatThrownBy(() -> new MetricsPage().sample("x", 1, "model"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
