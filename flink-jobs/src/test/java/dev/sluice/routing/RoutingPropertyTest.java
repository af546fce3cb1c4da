package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ModelDeployment;
import dev.sluice.prompt.PromptText;
import dev.sluice.schema.Constraints;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.OutputStructure;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RoutingHints;
import dev.sluice.schema.Task;
import dev.sluice.schema.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random requests under random policies, deployments, ranking settings, prices, loads, health and
 * served contexts: whatever the router chooses is eligible under every rule, whatever it refuses had truly nothing
 * eligible (and is refused for its structure exactly when only that stood in the way), and the ranking never trades
 * quality beyond the margin.
 */
class RoutingPropertyTest {

    private static final List<String> LICENSES = RoutingFixtures.SHIPPED.models().stream()
            .map(CatalogModel::license).distinct().sorted().toList();
    private static final List<String> VENDORS = RoutingFixtures.SHIPPED.models().stream()
            .map(CatalogModel::vendor).distinct().sorted().toList();
    private static final List<String> CAPABILITIES = List.of("tools", "vision", "code", "long-context");

    @Test
    void theChosenModelIsAlwaysEligible() {
        SplittableRandom random = new SplittableRandom(20261127);
        int routed = 0;
        for (int i = 0; i < 5_000; i++) {
            TenantPolicy policy = randomPolicy(random);
            Catalog catalog = randomPrices(random,
                    RoutingFixtures.deployed(Map.of("t", policy), m -> randomDeployment(random)),
                    new RankingSettings(random.nextInt(4) == 0 ? 0.0 : random.nextDouble() * 50, 1 + random.nextInt(100)));
            PromptRequest request = randomRequest(random);
            ModelAvailability availability = randomServers(random, catalog);
            RouteDecision decision = new Router(catalog, availability, 256).route(request);
            List<CatalogModel> eligible = catalog.models().stream()
                    .filter(m -> isEligible(m, policy, request, availability)).toList();
            if (decision.isRouted()) {
                routed++;
                assertThat(eligible).as("case %d", i).contains(decision.chosen());
                // The models a request may fail over to are eligible too.
                assertThat(eligible).as("case %d failover", i)
                        .containsAll(decision.ranking().stream().map(RouteDecision.Scored::model).toList());
                assertWithinMargin(i, catalog, request, availability, decision);
            } else {
                assertThat(eligible).as("case %d refused: %s", i, decision.because()).isEmpty();
                // Unsupported structure is the reason exactly when some model would serve the request without it.
                boolean servedWithoutStructure = catalog.models().stream()
                        .anyMatch(m -> isEligible(m, policy, PromptRequest.newBuilder(request).setStructure(null).build(),
                                availability));
                assertThat(decision.rejectReason() == RejectReason.STRUCTURE_UNSUPPORTED).as("case %d: %s", i,
                        decision.because()).isEqualTo(servedWithoutStructure);
            }
        }
        // The generator must produce both outcomes, or the property says little.
        assertThat(routed).isBetween(500, 4_500);
    }

    /**
     * Where the request prefers nothing and the chosen model is up, its score is within the margin of the best score
     * among the eligible models that are up: cost and load never buy a worse model than the operator allowed.
     */
    private static void assertWithinMargin(int i, Catalog catalog, PromptRequest request,
            ModelAvailability availability, RouteDecision decision) {
        if (request.getHints().getPreferredModel() != null || request.getHints().getPreferredFamily() != null
                || availability.isDown(decision.chosen().id(), null)) {
            return;
        }
        Benchmark benchmark = decision.ranking().get(0).benchmark();
        double best = decision.ranking().stream().filter(s -> !availability.isDown(s.model().id(), null))
                .mapToDouble(s -> s.model().points(benchmark).orElse(-1)).max().orElseThrow();
        if (best >= 0) {
            assertThat(decision.chosen().points(benchmark)).as("case %d quality", i).isPresent();
            assertThat(decision.chosen().points(benchmark).getAsDouble()).as("case %d quality", i)
                    .isGreaterThanOrEqualTo(best - catalog.ranking().qualityMargin() - 1e-9);
        }
    }

    /** Load, health and served contexts drawn at random, fixed for one decision. */
    private static ModelAvailability randomServers(SplittableRandom random, Catalog catalog) {
        Map<String, Integer> inFlight = new java.util.HashMap<>();
        java.util.Set<String> down = new java.util.HashSet<>();
        Map<String, Integer> served = new java.util.HashMap<>();
        for (CatalogModel model : catalog.models()) {
            inFlight.put(model.id(), random.nextInt(4) == 0 ? random.nextInt(200) : 0);
            if (random.nextInt(10) == 0) {
                down.add(model.id());
            }
            if (random.nextInt(5) == 0) {
                served.put(model.id(), 1024 + random.nextInt(200_000));
            }
        }
        return RoutingFixtures.servers(down::contains, inFlight, served);
    }

    private static Catalog randomPrices(SplittableRandom random, Catalog catalog, RankingSettings ranking) {
        return new Catalog(catalog.models().stream().map(m -> random.nextInt(3) != 0 ? m
                : new CatalogModel(m.id(), m.family(), m.vendor(), m.origin(), m.paramsB(), m.activeParamsB(),
                        m.context(), m.license(), m.commercial(), m.conditions(), m.japanese(), m.benchmarks(),
                        m.benchmarkSources(), m.capabilities(), m.useCases(), m.vramGb(),
                        0.01 + random.nextDouble() * 10, m.note(), m.deployment())).toList(),
                catalog.policies(), ranking);
    }

    /** The full rule set, restated independently of the router's code path. */
    private static boolean isEligible(CatalogModel model, TenantPolicy policy, PromptRequest request,
            ModelAvailability availability) {
        if (!LicenseRules.violations(model, policy).isEmpty()) {
            return false;
        }
        RoutingHints hints = request.getHints();
        if (hints != null && !hints.getAllowedLicenses().isEmpty()
                && !hints.getAllowedLicenses().contains(model.license())) {
            return false;
        }
        Constraints constraints = request.getConstraints();
        if (constraints != null && !model.capabilities().containsAll(constraints.getCapabilities())) {
            return false;
        }
        // A size class is a limit on total parameters: edge 4B, light 14B.
        if (hints != null && hints.getSize() != null
                && model.paramsB() > (hints.getSize().equals("edge") ? 4.0 : 14.0)) {
            return false;
        }
        int context = Math.min(model.context(),
                availability.servedContext(model.id(), null).orElse(Integer.MAX_VALUE));
        if (context < PromptText.contextNeeded(request, 256)) {
            return false;
        }
        // Tools go only to models tuned to call them, as a JSON schema. SGLang's scheduler honours every kind, its
        // native protocol no grammar, Triton only with guided decoding.
        OutputStructure structure = request.getStructure();
        if (structure != null && !structure.getTools().isEmpty() && !model.capabilities().contains("tools")) {
            return false;
        }
        ModelDeployment deployment = model.deployment();
        return structure == null || switch (deployment.backend()) {
            case "sglang-smg" -> true;
            case "sglang-native" -> structure.getGrammar() == null;
            default -> deployment.guidedDecoding();
        };
    }

    private static ModelDeployment randomDeployment(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> RoutingFixtures.on("sglang-smg", false);
            case 1 -> RoutingFixtures.on("sglang-native", false);
            default -> RoutingFixtures.on("triton", random.nextBoolean());
        };
    }

    private static TenantPolicy randomPolicy(SplittableRandom random) {
        return new TenantPolicy(random.nextBoolean(), random.nextInt(4) == 0 ? 800_000_000L : random.nextInt(200) * 1_000_000L,
                random.nextBoolean(), random.nextBoolean(),
                random.nextInt(3) == 0 ? subset(random, LICENSES) : java.util.Set.of(),
                subset(random, LICENSES.subList(0, 2)), subset(random, VENDORS.subList(0, 2)),
                random.nextInt(3) == 0 ? java.util.Set.of("CN") : java.util.Set.of(),
                subset(random, LICENSES), random.nextInt(5) == 0 ? subset(random, LICENSES) : java.util.Set.of(),
                random.nextBoolean(), random.nextBoolean(), random.nextInt(6) == 0, null, 1, null);
    }

    private static PromptRequest randomRequest(SplittableRandom random) {
        Task task = Task.values()[random.nextInt(Task.values().length)];
        String prompt = random.nextBoolean() ? "こんにちは ".repeat(1 + random.nextInt(3000))
                : "hello world ".repeat(1 + random.nextInt(3000));
        List<String> capabilities = new ArrayList<>();
        for (String capability : CAPABILITIES) {
            if (random.nextInt(5) == 0) {
                capabilities.add(capability);
            }
        }
        return PromptRequest.newBuilder().setRequestId("r").setTenant("t").setTask(task).setPrompt(prompt)
                .setParams(GenerationParams.newBuilder().setMaxTokens(1 + random.nextInt(8192)).build())
                .setConstraints(new Constraints(null, capabilities))
                .setStructure(switch (random.nextInt(8)) {
                    case 0 -> OutputStructure.newBuilder().setJsonSchema("{}").build();
                    case 1 -> OutputStructure.newBuilder().setRegex("[0-9]+").build();
                    case 2 -> OutputStructure.newBuilder().setGrammar("root ::= [0-9]+").build();
                    case 3 -> OutputStructure.newBuilder().setTools(List.of(new ToolDefinition("lookup", null,
                            "{\"type\": \"object\", \"properties\": {\"q\": {\"type\": \"string\"}}}"))).build();
                    default -> null;
                })
                .setHints(new RoutingHints(random.nextInt(4) == 0 ? pick(random, RoutingFixtures.SHIPPED).id() : null,
                        random.nextInt(8) == 0 ? pick(random, RoutingFixtures.SHIPPED).family() : null,
                        random.nextInt(4) == 0 ? new ArrayList<>(subset(random, LICENSES)) : List.of(),
                        random.nextInt(4) == 0 ? (random.nextBoolean() ? "edge" : "light") : null))
                .build();
    }

    private static CatalogModel pick(SplittableRandom random, Catalog catalog) {
        return catalog.models().get(random.nextInt(catalog.models().size()));
    }

    private static java.util.Set<String> subset(SplittableRandom random, List<String> values) {
        return values.stream().filter(v -> random.nextBoolean()).collect(Collectors.toSet());
    }
}
