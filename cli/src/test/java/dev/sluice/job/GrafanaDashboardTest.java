package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.backend.Backends;
import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GrpcChannels;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.embedded.EmulatedDeployment;
import dev.sluice.emulator.CostModel;
import dev.sluice.emulator.EmulatorServer;
import dev.sluice.emulator.metrics.ScrapedMetrics;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard queries only metrics someone exports: Sluice, or the inference servers, whose names are
 * scraped from the emulators of the demo catalog's servers (Triton, SGLang's two gRPC dialects, vLLM) after a request to
 * each of their models.
 */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "sluice-dashboard.json");
    private static final Path CATALOG = Path.of("..", "config", "catalog.yaml");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Label lists of aggregations and vector matching: names of labels, not of metrics. */
    private static final Pattern LABEL_LISTS =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern STRINGS = Pattern.compile("\"[^\"]*\"");
    /** Label matchers, and range and subquery selectors (with Grafana's variables in them). */
    private static final Pattern SELECTORS = Pattern.compile("\\{[^}]*}|\\[[^]]*]");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Set<String> KEYWORDS =
            Set.of("and", "or", "unless", "bool", "offset", "group_left", "group_right");

    private static Set<String> queried;
    private static Set<String> serversExport;

    @BeforeAll
    static void readTheDashboardAndScrapeTheServers() throws Exception {
        List<String> expressions = expressions(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(10);
        queried = new TreeSet<>();
        expressions.forEach(expr -> queried.addAll(metricNames(expr)));
        serversExport = scrapeEmulatedServers();
    }

    @Test
    void everyQueriedMetricIsOneSluiceOrAServerExports() {
        Set<String> exported = new TreeSet<>(SluiceMetrics.prometheusNames());
        exported.addAll(serversExport);

        assertThat(queried).isNotEmpty().isSubsetOf(exported);
    }

    @Test
    void theServersPanelsShowEveryServerBesideSluice() {
        Set<String> ofServers = new TreeSet<>(queried);
        ofServers.retainAll(serversExport);

        assertThat(ofServers).anyMatch(name -> name.startsWith("nv_inference_"))
                .anyMatch(name -> name.startsWith("nv_trt_llm_"))
                .anyMatch(name -> name.startsWith("sglang:"))
                .anyMatch(name -> name.startsWith("vllm:"));
        assertThat(queried).anyMatch(SluiceMetrics.prometheusNames()::contains);
    }

    @Test
    void metricNamesAreTheIdentifiersThatAreNeitherFunctionsNorLabels() {
        assertThat(metricNames("sum by (model) (rate(a_total{reason=\"x{y}\"}[$__rate_interval])) / ignoring(model) "
                + "group_left scalar(sum(b:rate5m)) > bool 0 unless histogram_quantile(0.9, c_bucket offset 5m) / 1e6"))
                .containsExactlyInAnyOrder("a_total", "b:rate5m", "c_bucket");
    }

    /**
     * The metric names the emulated servers of the demo catalog export, scraped from their metrics ports after one
     * request to every deployed model: sample names, so a histogram's are its {@code _bucket}, {@code _sum} and
     * {@code _count}, as queries name them.
     */
    private static Set<String> scrapeEmulatedServers() throws Exception {
        Catalog catalog = Catalog.load(CATALOG);
        Set<String> names = new TreeSet<>();
        try (EmulatedDeployment emulators = EmulatedDeployment.start(
                catalog.deployed().stream().map(CatalogModel::deployment).toList(), CostModel.instant(), 1, true)) {
            for (CatalogModel model : catalog.withEndpoints(emulators.endpoints()).deployed()) {
                askOnce(model.deployment().toBackendSpec(TIMEOUT));
            }
            for (EmulatorServer server : emulators.servers()) {
                names.addAll(ScrapedMetrics.scrape("127.0.0.1", server.metricsPort()).names());
            }
        }
        return names;
    }

    private static void askOnce(BackendSpec spec) {
        ManagedChannel channel = spec.protocol().overGrpc() ? GrpcChannels.plaintext(spec.endpoint()) : null;
        try (InferenceBackend backend = Backends.create(spec, channel)) {
            backend.checkReady(TIMEOUT);
            assertThat(backend.generate(List.of(GenerationRequest.of("dashboard", "Hello, server.", 8))).join())
                    .hasSize(1);
        } finally {
            if (channel != null) {
                GrpcChannels.close(channel);
            }
        }
    }

    /** Every panel target's PromQL, rows' nested panels included. */
    private static List<String> expressions(JsonNode dashboard) {
        List<String> expressions = new ArrayList<>();
        dashboard.findValues("targets").forEach(targets -> targets.forEach(target -> {
            assertThat(target.hasNonNull("expr")).as("target %s has a PromQL expression", target).isTrue();
            expressions.add(target.get("expr").asText());
        }));
        return expressions;
    }

    /** The metric names a PromQL expression selects. */
    static Set<String> metricNames(String expr) {
        String bare = STRINGS.matcher(expr).replaceAll(" ");
        bare = SELECTORS.matcher(LABEL_LISTS.matcher(bare).replaceAll(" ")).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            boolean function = identifier.group(1) != null;
            String name = identifier.group().replaceAll("[\\s(]", "");
            boolean number = identifier.start() > 0 && Character.isDigit(bare.charAt(identifier.start() - 1));
            if (!function && !number && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }
}
