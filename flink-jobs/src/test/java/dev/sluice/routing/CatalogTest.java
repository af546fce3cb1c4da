package dev.sluice.routing;

import static dev.sluice.routing.RoutingFixtures.SHIPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.OutputConstraint;
import dev.sluice.backend.openai.OpenAiServer;
import dev.sluice.backend.triton.MetricsPage;
import dev.sluice.config.ModelDeployment;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Tests for {@link Catalog} and the shipped {@code config/catalog.yaml}. */
class CatalogTest {

    private static CatalogModel model(String id) {
        return SHIPPED.models().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void theShippedCatalogHoldsEveryFamilyAtEverySize() {
        assertThat(SHIPPED.models()).hasSize(33);
        assertThat(SHIPPED.models()).extracting(CatalogModel::family).contains("Llama 3.1", "Llama 3.2",
                "Llama 3.2 Vision", "Mistral Large", "Mistral Small", "Mixtral", "Gemma 2", "Qwen2.5",
                "Qwen2.5-Coder", "DeepSeek", "DeepSeek-Coder", "Phi-3", "Command R+");
        assertThat(SHIPPED.policies()).containsKeys("acme-retail", "kyoto-bank", "nippon-media", "open-research");
    }

    @Test
    void aPolicysWeightIsOneUnlessSetAndMustBePositive() {
        Catalog catalog = Catalog.parse("policies:\n  a: {commercial: true}\n  b: {commercial: true, weight: 2.5}\n",
                "test");
        assertThat(catalog.policy("a").orElseThrow().weight()).isEqualTo(1.0);
        assertThat(catalog.policy("b").orElseThrow().weight()).isEqualTo(2.5);
        assertThatThrownBy(() -> Catalog.parse("policies:\n  a: {weight: -1}\n", "test"))
                .hasMessageContaining("weight");
    }

    @Test
    void theCatalogCarriesTheLicenceReferenceNotTheCommonClaims() {
        assertThat(model("mistralai/Mistral-Small-Instruct-2409").license()).isEqualTo("other/mrl");
        assertThat(model("mistralai/Mistral-Small-Instruct-2409").commercial()).isEqualTo(Commercial.NO);
        assertThat(model("mistralai/Mistral-Small-Instruct-2409").context()).isEqualTo(32768);
        assertThat(model("Qwen/Qwen2.5-3B-Instruct").license()).isEqualTo("other/qwen-research");
        assertThat(model("Qwen/Qwen2.5-72B-Instruct").conditions()).contains("MAU>100M");
        assertThat(model("deepseek-ai/DeepSeek-V3").license()).isEqualTo("other/deepseek");
        assertThat(model("microsoft/Phi-3-mini-4k-instruct").context()).isEqualTo(4096);
        assertThat(model("microsoft/Phi-3-mini-128k-instruct").context()).isEqualTo(131072);
        assertThat(model("google/gemma-2-27b-it").context()).isEqualTo(8192);
        assertThat(model("meta-llama/Llama-3.2-11B-Vision-Instruct").conditions()).contains("EU-multimodal");
        assertThat(model("meta-llama/Llama-3.2-3B-Instruct").conditions()).doesNotContain("EU-multimodal");
        assertThat(model("mistralai/Mixtral-8x22B-Instruct-v0.1").activeParamsB()).isEqualTo(39.0);
        assertThat(model("Qwen/Qwen2.5-72B-Instruct").vramGb()).containsEntry("bf16", 144.0);
    }

    @Test
    void aCatalogRoundTripsThroughTheTopicFormat() {
        assertThat(Catalog.parse(SHIPPED.toYaml(), "round trip")).isEqualTo(SHIPPED);
    }

    @Test
    void errorsNameTheKeyAndTheLine() {
        String yaml = """
                models:
                  - id: a
                    family: F
                    vendor: V
                    origin: US
                    params-b: 1
                    context: 1024
                    license: mit
                    commercial: sometimes
                    japanese: good
                """;

        assertThatThrownBy(() -> Catalog.parse(yaml, "catalog.yaml"))
                .hasMessageContaining("catalog.yaml: models[0].commercial")
                .hasMessageContaining("sometimes")
                .hasMessageContaining("line 9");
    }

    @Test
    void aModelListedTwiceIsRefused() {
        String entry = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good}\n";

        assertThatThrownBy(() -> Catalog.parse("models:\n" + entry + entry, "c.yaml"))
                .hasMessageContaining("model a is listed twice");
    }

    /** guided-decoding is Triton's and the ensemble's only: anywhere else it would promise what nothing keeps. */
    @Test
    void guidedDecodingIsReadForTritonEnsemblesAndRefusedElsewhere() {
        String model = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good, deployment: {endpoint: 'h:1', %s}}\n";

        Catalog guided = Catalog.parse("models:\n" + model.formatted("guided-decoding: true"), "c.yaml");
        Catalog plain = Catalog.parse("models:\n" + model.formatted("served-name: ensemble"), "c.yaml");

        assertThat(guided.models().get(0).deployment().honours(OutputConstraint.Kind.GRAMMAR)).isTrue();
        assertThat(plain.models().get(0).deployment().honours(OutputConstraint.Kind.JSON_SCHEMA)).isFalse();
        assertThat(Catalog.parse(guided.toYaml(), "round trip")).isEqualTo(guided);
        assertThatThrownBy(() -> Catalog.parse("models:\n"
                + model.formatted("backend: sglang-smg, guided-decoding: true"), "c.yaml"))
                .hasMessageContaining("guided-decoding applies only to a triton ensemble");
        assertThatThrownBy(() -> Catalog.parse("models:\n"
                + model.formatted("triton-tensors: llm-api, guided-decoding: true"), "c.yaml"))
                .hasMessageContaining("guided-decoding applies only to a triton ensemble");
    }

    /** An OpenAI-compatible server is named by what runs it; what it honours and whether it takes priority follow. */
    @Test
    void openAiDeploymentsNameTheirServerAndServedModel() {
        String model = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good, deployment: {backend: openai, endpoint: 'h:8000', %s}}\n";

        Catalog vllm = Catalog.parse("models:\n" + model.formatted("served-name: m, server: vllm, "
                + "priority-scheduling: true"), "c.yaml");
        Catalog plain = Catalog.parse("models:\n" + model.formatted("served-name: m"), "c.yaml");
        Catalog trtllm = Catalog.parse("models:\n" + model.formatted("served-name: m, server: trtllm-serve, "
                + "guided-decoding: true"), "c.yaml");

        BackendSpec spec = vllm.models().get(0).deployment().toBackendSpec(Duration.ofSeconds(5));
        assertThat(spec.openAiServer()).isEqualTo(OpenAiServer.VLLM);
        assertThat(spec.priorityScheduling()).isTrue();
        assertThat(spec.servedName()).isEqualTo("m");
        assertThat(plain.models().get(0).deployment().openAiServer()).isEqualTo(OpenAiServer.OPENAI);
        assertThat(plain.models().get(0).deployment().honours(OutputConstraint.Kind.JSON_SCHEMA)).isTrue();
        assertThat(plain.models().get(0).deployment().honours(OutputConstraint.Kind.GRAMMAR)).isFalse();
        assertThat(trtllm.models().get(0).deployment().honours(OutputConstraint.Kind.JSON_SCHEMA)).isTrue();
        assertThat(Catalog.parse(vllm.toYaml(), "round trip")).isEqualTo(vllm);
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("server: vllm"), "c.yaml"))
                .hasMessageContaining("an openai backend needs served-name");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("served-name: m, server: kobold"),
                "c.yaml")).hasMessageContaining("unknown server 'kobold'");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("served-name: m, server: ollama, "
                + "priority-scheduling: true"), "c.yaml")).hasMessageContaining("priority-scheduling applies only");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("served-name: m, "
                + "guided-decoding: true"), "c.yaml")).hasMessageContaining("and to trtllm-serve");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("served-name: m")
                .replace("backend: openai", "backend: triton").replace("served-name: m", "served-name: m, server: vllm"),
                "c.yaml")).hasMessageContaining("server applies only to backend openai");
    }

    /**
     * Triton takes a request priority where a plain model's dynamic batcher has priority levels; an ensemble drops
     * it, so a deployment that asks for it there is refused rather than believed.
     */
    @Test
    void tritonPrioritySchedulingIsForPlainModelsWithLevels() {
        String model = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good, deployment: {backend: triton, endpoint: 'h:8001', %s}}\n";

        Catalog defaults = Catalog.parse("models:\n" + model.formatted("triton-tensors: llm-api, "
                + "priority-scheduling: true"), "c.yaml");
        Catalog three = Catalog.parse("models:\n" + model.formatted("triton-tensors: llm-api, "
                + "priority-scheduling: true, priority-levels: 3"), "c.yaml");

        BackendSpec spec = defaults.models().get(0).deployment().toBackendSpec(Duration.ofSeconds(5));
        assertThat(spec.priorityScheduling()).isTrue();
        assertThat(spec.priorityLevels()).isEqualTo(2);
        assertThat(three.models().get(0).deployment().toBackendSpec(Duration.ofSeconds(5)).priorityLevels())
                .isEqualTo(3);
        assertThat(Catalog.parse(three.toYaml(), "round trip")).isEqualTo(three);
        assertThat(Catalog.parse(defaults.toYaml(), "round trip")).isEqualTo(defaults);
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("priority-scheduling: true"), "c.yaml"))
                .hasMessageContaining("cannot take effect on a triton ensemble")
                .hasMessageContaining("Triton drops a request's priority inside ensembles");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("triton-tensors: llm-api, "
                + "priority-scheduling: true, priority-levels: 1"), "c.yaml"))
                .hasMessageContaining("priority-levels must be at least 2");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("triton-tensors: llm-api, "
                + "priority-levels: 3"), "c.yaml"))
                .hasMessageContaining("priority-levels applies only to a triton deployment with priority-scheduling");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("priority-scheduling: true")
                .replace("backend: triton", "backend: sglang-smg"), "c.yaml"))
                .hasMessageContaining("priority-scheduling applies only");
    }

    /**
     * A Triton deployment may name its server's metrics page, from which the gateway reads the model's load; it is
     * one server's page, so it goes with no replicas, and only Triton has one to read.
     */
    @Test
    void aTritonDeploymentNamesItsServersMetricsPage() {
        String model = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good, deployment: {backend: triton, endpoint: 'h:8001', %s}}\n";

        Catalog read = Catalog.parse("models:\n" + model.formatted("metrics-url: 'http://h:8002/metrics'"), "c.yaml");
        Catalog none = Catalog.parse("models:\n" + model.formatted("served-name: m"), "c.yaml");

        assertThat(read.models().get(0).deployment().toBackendSpec(Duration.ofSeconds(5)).metricsPage())
                .isEqualTo(new MetricsPage(URI.create("http://h:8002/metrics"), "ensemble"));
        assertThat(none.models().get(0).deployment().toBackendSpec(Duration.ofSeconds(5)).metricsPage()).isNull();
        assertThat(Catalog.parse(read.toYaml(), "round trip")).isEqualTo(read);
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("metrics-url: 'h:8002/metrics'"),
                "c.yaml")).hasMessageContaining("must be http:// or https:// with a host");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("metrics-url: 'http://h:8002/ bad'"),
                "c.yaml")).hasMessageContaining("metrics-url is no URL");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("metrics-url: 'http://h:8002/metrics', "
                + "replicas: ['h2:8001']"), "c.yaml")).hasMessageContaining("cannot go with replicas");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("metrics-url: 'http://h:8002/metrics'")
                .replace("backend: triton", "backend: sglang-smg"), "c.yaml"))
                .hasMessageContaining("metrics-url applies only to a triton deployment");
    }

    /**
     * An ensemble's load is on its composing tensorrt_llm model's gauges, which metrics-model names; it is a Triton
     * model's name, read only on the page metrics-url names.
     */
    @Test
    void aTritonDeploymentNamesTheModelWhoseGaugesItReads() {
        String model = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good, deployment: {backend: triton, endpoint: 'h:8001', %s}}\n";

        Catalog read = Catalog.parse("models:\n" + model.formatted("metrics-url: 'http://h:8002/metrics', "
                + "metrics-model: tensorrt_llm"), "c.yaml");

        assertThat(read.models().get(0).deployment().toBackendSpec(Duration.ofSeconds(5)).metricsPage())
                .isEqualTo(new MetricsPage(URI.create("http://h:8002/metrics"), "tensorrt_llm"));
        assertThat(Catalog.parse(read.toYaml(), "round trip")).isEqualTo(read);
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("metrics-model: tensorrt_llm"),
                "c.yaml")).hasMessageContaining("goes only with metrics-url");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("metrics-url: 'http://h:8002/metrics', "
                + "metrics-model: 'tensorrt llm'"), "c.yaml")).hasMessageContaining("a Triton model name");
    }

    /** A mixed fleet: one gateway over servers of different protocols, honouring only what all of them honour. */
    @Test
    void aFleetServesOneModelFromServersOfDifferentKinds() {
        String model = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good, deployment: {endpoint: 'triton:8001', %s}}\n";

        Catalog mixed = Catalog.parse("models:\n" + model.formatted("guided-decoding: true, replicas: ['triton:8002'],"
                + " fleet: [{backend: openai, server: vllm, endpoint: 'vllm:8000', served-name: m}]"), "c.yaml");

        ModelDeployment deployment = mixed.models().get(0).deployment();
        assertThat(deployment.toBackendSpecs(Duration.ofSeconds(5))).extracting(BackendSpec::protocol,
                BackendSpec::endpoint).containsExactly(
                        tuple(BackendSpec.Protocol.TRITON, "triton:8001"),
                        tuple(BackendSpec.Protocol.TRITON, "triton:8002"),
                        tuple(BackendSpec.Protocol.OPENAI, "vllm:8000"));
        assertThat(deployment.fleet().get(0).id()).isEqualTo("a");
        // Triton with guided decoding honours a grammar; vLLM, as Sluice sends it, does not: neither does the fleet.
        assertThat(deployment.honours(OutputConstraint.Kind.JSON_SCHEMA)).isTrue();
        assertThat(deployment.honours(OutputConstraint.Kind.GRAMMAR)).isFalse();
        assertThat(Catalog.parse(mixed.toYaml(), "round trip")).isEqualTo(mixed);
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model.formatted("fleet: [{endpoint: 'b:1', "
                + "fleet: [{endpoint: 'c:1'}]}]"), "c.yaml")).hasMessageContaining("has no fleet of its own");
    }

    @Test
    void everyScoreNamesItsSourceAndStaysOnItsScale() {
        assertThat(SHIPPED.models()).allSatisfy(m ->
                assertThat(m.benchmarkSources().keySet()).isEqualTo(m.benchmarks().keySet()));
        assertThat(model("Qwen/Qwen2.5-72B-Instruct").points(Benchmark.JAPANESE_MT_BENCH)).hasValue(75.94);
        assertThat(model("meta-llama/Llama-3.1-70B-Instruct").points(Benchmark.MMLU)).hasValue(83.6);
        String model = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good, ";

        assertThatThrownBy(() -> Catalog.parse("models:\n" + model + "benchmarks: {mmlu: 70}}\n", "c.yaml"))
                .hasMessageContaining("mmlu has no benchmark-sources entry");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model + "benchmarks: {japanese-mt-bench: 7.5}, "
                + "benchmark-sources: {japanese-mt-bench: x}}\n", "c.yaml"))
                .hasMessageContaining("japanese-mt-bench must be between 0 and 1.0");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model + "benchmarks: {arena: 1200}, "
                + "benchmark-sources: {arena: x}}\n", "c.yaml"))
                .hasMessageContaining("no benchmark called arena");
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model + "cost-per-million-tokens: -1}\n", "c.yaml"))
                .hasMessageContaining("cost-per-million-tokens must be positive");
    }

    @Test
    void rankingSettingsDefaultWhereAbsentAndAreBounded() {
        String model = "  - {id: a, family: F, vendor: V, origin: US, params-b: 1, context: 1024, license: mit, "
                + "commercial: yes, japanese: good}\n";

        assertThat(Catalog.parse("models:\n" + model, "c.yaml").ranking()).isEqualTo(RankingSettings.DEFAULTS);
        assertThat(SHIPPED.ranking()).isEqualTo(new RankingSettings(3.0, 64));
        assertThatThrownBy(() -> Catalog.parse("models:\n" + model + "ranking: {quality-margin: 80}\n", "c.yaml"))
                .hasMessageContaining("ranking.quality-margin must be between 0 and 50");
    }
}
