package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Tests for {@link MetricsPage}'s checks of the page's address and of the model read there. */
class MetricsPageTest {

    private static final URI PAGE = URI.create("http://triton:8002/metrics");

    @Test
    void takesAnHttpPageAndATritonModelName() {
        assertThat(new MetricsPage(PAGE, "tensorrt_llm").model()).isEqualTo("tensorrt_llm");
        assertThat(new MetricsPage(URI.create("https://t/metrics"), "llama-3.1-8b.v2").url().getScheme())
                .isEqualTo("https");
        assertThat(new MetricsPage(PAGE, "m".repeat(128)).model()).hasSize(128);
    }

    @Test
    void refusesAPageThatIsNoHttpAddress() {
        assertThatThrownBy(() -> new MetricsPage(URI.create("triton:8002/metrics"), "m"))
                .hasMessageContaining("must be http:// or https:// with a host");
        assertThatThrownBy(() -> new MetricsPage(URI.create("file:///metrics"), "m"))
                .hasMessageContaining("must be http:// or https:// with a host");
    }

    @Test
    void refusesAModelNoTritonModelCouldBeNamed() {
        for (String model : new String[] {"", "_tensorrt_llm", "a/b", "a\"b", "a b", "m".repeat(129)}) {
            assertThatThrownBy(() -> new MetricsPage(PAGE, model)).as(model)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a Triton model name");
        }
        assertThatThrownBy(() -> new MetricsPage(PAGE, "x".repeat(10_000))).message().hasSizeLessThan(400);
    }
}
