package dev.sluice.backend.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.ServerLoad;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Tests for {@link TritonLoadReader}'s reading of a metrics page, line by line as it arrives. */
class TritonLoadReaderTest {

    private static final URI PAGE = URI.create("http://triton:8002/metrics");

    /** What Triton with TensorRT-LLM serves, two models on one server, with the noise around them. */
    private static final String TWO_MODELS = """
            # HELP nv_trt_llm_request_metrics TRT LLM request metrics
            # TYPE nv_trt_llm_request_metrics gauge
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="context",version="1"} 1
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="scheduled",version="1"} 5
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="max",version="1"} 64
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="active",version="1"} 5
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="waiting",version="1"} 2
            nv_trt_llm_request_metrics{model="other",request_type="active",version="1"} 40
            nv_trt_llm_request_metrics{model="other",request_type="waiting",version="1"} 30
            nv_trt_llm_request_metrics{model="other",request_type="max",version="1"} 48
            # HELP nv_trt_llm_kv_cache_block_metrics TRT LLM KV cache block metrics
            # TYPE nv_trt_llm_kv_cache_block_metrics gauge
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="tokens_per",model="tensorrt_llm",version="1"} 64
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="used",model="tensorrt_llm",version="1"} 1000
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="free",model="tensorrt_llm",version="1"} 3000
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="max",model="tensorrt_llm",version="1"} 4000
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction",model="tensorrt_llm",version="1"} NaN
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="used",model="other",version="1"} 3999
            nv_inference_request_success{model="tensorrt_llm",version="1"} 1234
            """;

    @Test
    void readsTheDeploymentsModelAloneAmongOthers() {
        ServerLoad load = read("tensorrt_llm", "", TWO_MODELS);

        assertThat(load).isEqualTo(new ServerLoad(5, 2, 64, 0.25, 0, 0));
        assertThat(read("other", "", TWO_MODELS)).isEqualTo(new ServerLoad(40, 30, 48, 0, 0, 0));
    }

    @Test
    void skipsGarbageNaNAndNegativeValuesAndReadsAVersionWhereOneIsNamed() {
        String page = """
                nv_trt_llm_request_metrics{model="m",request_type="active",version="1"} NaN
                nv_trt_llm_request_metrics{model="m",request_type="active",version="1"} 3
                nv_trt_llm_request_metrics{model="m",request_type="waiting",version="1"} -4
                nv_trt_llm_request_metrics{model="m",request_type="waiting",version="1"} 1
                nv_trt_llm_request_metrics{model="m",request_type="active",version="2"} 7
                nv_trt_llm_request_metrics{model="m",request_type="waiting",version="2"} 0
                nv_trt_llm_request_metrics{model="m",request_type="active",version="1" 100
                nv_trt_llm_request_metrics{model="m",request_type="active"} +Inf
                \u0000\u0001 binary nonsense {{{ "
                nv_trt_llm_request_metrics{model="m\\"",request_type="active",version="1"} 50
                """;

        assertThat(read("m", "1", page)).isEqualTo(new ServerLoad(3, 1, 0, 0, 0, 0));
        // Without a version, each version's executor counts: the model's load is theirs together.
        assertThat(read("m", "", page)).isEqualTo(new ServerLoad(10, 1, 0, 0, 0, 0));
    }

    @Test
    void aPageWithoutTheModelsRequestsIsNoReport() {
        assertThatThrownBy(() -> read("ensemble", "", TWO_MODELS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no active and waiting requests of model 'ensemble'");
        assertThatThrownBy(() -> read("m", "", "nv_trt_llm_request_metrics{model=\"m\",request_type=\"active\"} 1"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCountPastAMillionIsNoReport() {
        String line = "nv_trt_llm_request_metrics{model=\"m\",request_type=\"%s\"} %s\n";
        String page = line.formatted("active", "1") + line.formatted("waiting", "1e300");
        String repeated = line.formatted("active", "1") + line.formatted("waiting", "600000").repeat(2);

        assertThatThrownBy(() -> read("m", "", page)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than 1000000");
        assertThatThrownBy(() -> read("m", "", repeated)).isInstanceOf(IllegalStateException.class);
    }

    private static ServerLoad read(String model, String version, String page) {
        TritonLoadReader.Tally tally = new TritonLoadReader(new MetricsPage(PAGE, model), version).new Tally();
        page.lines().forEach(tally::add);
        return tally.load();
    }
}
