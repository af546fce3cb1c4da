package dev.sluice.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.intake.DecodedRecord;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogModel;
import dev.sluice.routing.ModelAvailability;
import dev.sluice.routing.RouteDecision;
import dev.sluice.routing.Router;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RouteExclusion;
import dev.sluice.serde.JsonAvro;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice route --explain}: which models a request may use, which one is chosen, and why. */
@Command(name = "route", mixinStandardHelpOptions = true,
        description = "Route one request with the catalog and policies, as the pipeline would, and explain it.")
final class RouteCommand implements Callable<Integer> {

    @Option(names = "--explain", description = "print the full decision: ranking and every exclusion")
    boolean explain;

    @Option(names = "--tenant", required = true, description = "the tenant whose licence policy applies")
    String tenant;

    @Option(names = "--request", required = true, description = "the request as JSON, or a file holding it")
    String request;

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--format", defaultValue = "both", description = "json, table or both (default: ${DEFAULT-VALUE})")
    String format;

    @Override
    public Integer call() throws Exception {
        SluiceConfig settings = SluiceConfig.load(config);
        Catalog catalog = Catalog.load(settings.catalogPath(config));
        String json = request.strip().startsWith("{") ? request : Files.readString(Path.of(request));
        ObjectNode node = (ObjectNode) JsonAvro.mapper().readTree(json);
        // The tenant is the caller's to state, never the request's; the rest takes defaults like a producer's.
        node.put("tenant", tenant);
        node.putIfAbsent("request_id", node.textNode("route-explain"));
        DecodedRecord decoded = new PromptDecoder(settings.limits().toIntakeLimits())
                .decode(node.toString().getBytes(StandardCharsets.UTF_8));
        if (!decoded.problems().isEmpty()) {
            System.err.println("invalid request: " + decoded.problems().get(0).message());
            return 2;
        }
        PromptRequest prompt = decoded.requests().get(0);
        int defaultMaxTokens = settings.limits().toIntakeLimits().defaultMaxTokens();
        RouteDecision decision = new Router(catalog, ModelAvailability.allUp(), defaultMaxTokens).route(prompt);
        if (!format.equals("table")) {
            System.out.println(JsonAvro.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(decision)));
        }
        if (!format.equals("json")) {
            printTable(decision);
        }
        return decision.isRouted() ? 0 : 1;
    }

    private ObjectNode toJson(RouteDecision decision) {
        ObjectNode json = JsonAvro.mapper().createObjectNode();
        json.put("tenant", tenant);
        json.put("chosen", decision.isRouted() ? decision.chosen().id() : null);
        json.put("reject_reason", decision.isRouted() ? null : decision.rejectReason().name());
        json.put("because", decision.because());
        if (explain) {
            ArrayNode ranking = json.putArray("ranking");
            for (RouteDecision.Scored scored : decision.ranking()) {
                CatalogModel model = scored.model();
                ranking.addObject().put("model", model.id()).put("benchmark", scored.benchmark().key())
                        .put("quality", scored.quality()).put("active_params_b", model.activeParams())
                        .put("cost_per_million_tokens", model.costPerMillionTokens())
                        .put("in_flight", scored.inFlight()).put("license", model.license())
                        .putPOJO("reasons", scored.reasons());
            }
            ArrayNode excluded = json.putArray("excluded");
            for (RouteExclusion exclusion : decision.excluded()) {
                excluded.addObject().put("model", exclusion.getModelId()).put("reason", exclusion.getReason());
            }
        }
        return json;
    }

    private void printTable(RouteDecision decision) {
        System.out.println();
        System.out.println(decision.isRouted()
                ? "chosen: " + decision.chosen().id() + " (" + decision.chosen().license() + ")"
                : "refused: " + decision.rejectReason());
        System.out.println("because: " + decision.because());
        if (!explain) {
            return;
        }
        if (!decision.ranking().isEmpty()) {
            System.out.printf("%nranked on %s, points out of 100; cost is the operator's per million tokens, else"
                    + " active parameters%n", decision.ranking().get(0).benchmark().label());
        }
        System.out.printf("%-46s %8s %10s %9s  %s%n", "eligible model", "quality", "cost", "in flight", "licence");
        for (RouteDecision.Scored scored : decision.ranking()) {
            CatalogModel model = scored.model();
            String cost = model.costPerMillionTokens() != null
                    ? String.format(Locale.ROOT, "%.3g/Mtok", model.costPerMillionTokens())
                    : String.format(Locale.ROOT, "%.3gB", model.activeParams());
            System.out.printf(Locale.ROOT, "%-46s %8s %10s %9d  %s%n", model.id(),
                    scored.quality() == null ? "-" : String.format(Locale.ROOT, "%.1f", scored.quality()), cost,
                    scored.inFlight(), model.license());
        }
        System.out.printf("%n%-46s %s%n", "excluded model", "reason");
        for (RouteExclusion exclusion : decision.excluded()) {
            if (!exclusion.getReason().startsWith("eligible")) {
                System.out.printf("%-46s %s%n", exclusion.getModelId(), exclusion.getReason());
            }
        }
    }
}
