package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.PrometheusText.Sample;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tests for {@link PrometheusText}. */
class PrometheusTextTest {

    @Test
    void readsASampleAsTritonWritesIt() {
        assertThat(PrometheusText.sample("nv_trt_llm_request_metrics{model=\"tensorrt_llm\",request_type=\"active\","
                + "version=\"1\"} 3")).contains(new Sample("nv_trt_llm_request_metrics",
                        Map.of("model", "tensorrt_llm", "request_type", "active", "version", "1"), 3));
    }

    @Test
    void unescapesLabelValues() {
        assertThat(PrometheusText.sample("m{model=\"a \\\"quoted\\\" back\\\\slash\\nnew, line}\"} 1").orElseThrow()
                .labels()).containsEntry("model", "a \"quoted\" back\\slash\nnew, line}");
    }

    @Test
    void takesNoLabelsATrailingCommaBlanksAndATimestamp() {
        assertThat(PrometheusText.sample("up 1").orElseThrow().labels()).isEmpty();
        assertThat(PrometheusText.sample("  m{a=\"x\",} \t2.5e3 1712345678901 ").orElseThrow())
                .isEqualTo(new Sample("m", Map.of("a", "x"), 2500));
    }

    @Test
    void readsTheFormatsSpecialValues() {
        assertThat(PrometheusText.sample("m NaN").orElseThrow().value()).isNaN();
        assertThat(PrometheusText.sample("m +Inf").orElseThrow().value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(PrometheusText.sample("m -Inf").orElseThrow().value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(PrometheusText.sample("m -0.5").orElseThrow().value()).isEqualTo(-0.5);
    }

    @Test
    void commentsAndBlankLinesAreNoSamples() {
        assertThat(PrometheusText.sample("# HELP nv_trt_llm_request_metrics TRT LLM request metrics")).isEmpty();
        assertThat(PrometheusText.sample("# TYPE nv_trt_llm_request_metrics gauge")).isEmpty();
        assertThat(PrometheusText.sample("")).isEmpty();
        assertThat(PrometheusText.sample("   ")).isEmpty();
    }

    @Test
    void malformedLinesAreNoSamples() {
        for (String garbage : new String[] {
            "m{model=\"unclosed} 1", "m{model=\"x\"", "m{model=x} 1", "m{=\"x\"} 1", "m{a=\"x\" b=\"y\"} 1",
            "m{a=\"x\",a=\"y\"} 1", "m{a=\"x\\", "m", "m ", "m one", "m 1 2 3", "m 1 later", "m Infinity", "m 0x1p3",
            "m 1d", "m 1..2", "9m 1", "{a=\"x\"} 1", "m{a=\"x\"}1", "m\u0000 1", "\uFFFD\uFFFD", "m{a=\"\u00e9\"} 1x"}) {
            assertThat(PrometheusText.sample(garbage)).as(garbage).isEmpty();
        }
    }

    @Test
    @Timeout(5)
    void aLongHostileLineIsReadInLinearTime() {
        // A regular expression with nested alternatives backtracks on this for longer than the test would wait.
        String hostile = "m{" + "a=\"\\\"".repeat(200_000) + " 1";

        assertThat(PrometheusText.sample(hostile)).isEmpty();
    }
}
