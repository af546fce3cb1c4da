package dev.sluice.demo;

import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.intake.IntakeLimits;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.ModelAvailability;
import dev.sluice.routing.RouteDecision;
import dev.sluice.routing.Router;
import dev.sluice.schema.Completion;
import dev.sluice.schema.PromptRequest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whether the demo's traffic went where the ranking says: each completion's model against the ranking of its
 * request with every server up and idle. The first choice is what an idle pipeline routes to; another good-enough
 * model is what a long queue spills to; anything else is a model the ranking would not have sent the request to.
 */
final class RoutingSpread {

    /** Where one completion went, against its request's ranking. */
    enum Placement { FIRST_CHOICE, SPILLED, ELSEWHERE }

    private final Map<String, PromptRequest> requests;
    private final Catalog catalog;
    private final int defaultMaxTokens;

    private RoutingSpread(Map<String, PromptRequest> requests, Catalog catalog, int defaultMaxTokens) {
        this.requests = requests;
        this.catalog = catalog;
        this.defaultMaxTokens = defaultMaxTokens;
    }

    /** The valid requests in {@code records}, read as the job reads them. */
    static RoutingSpread of(List<SampleRecord> records, Catalog catalog, IntakeLimits limits) {
        PromptDecoder decoder = new PromptDecoder(limits);
        Map<String, PromptRequest> requests = new HashMap<>();
        for (SampleRecord record : records) {
            decoder.decode(record.value()).requests().forEach(r -> requests.put(r.getRequestId(), r));
        }
        return new RoutingSpread(requests, catalog, limits.defaultMaxTokens());
    }

    Placement placementOf(Completion completion) {
        PromptRequest request = requests.get(completion.getRequestId());
        if (request == null) {
            return Placement.ELSEWHERE;
        }
        // The tenant the job served it for, which is not always the one the record named.
        PromptRequest asServed = PromptRequest.newBuilder(request).setTenant(completion.getTenant()).build();
        RouteDecision decision = new Router(catalog, ModelAvailability.allUp(), defaultMaxTokens).route(asServed);
        if (!decision.isRouted()) {
            return Placement.ELSEWHERE;
        }
        String model = completion.getModelId();
        if (decision.chosen().id().equals(model)) {
            return Placement.FIRST_CHOICE;
        }
        boolean goodEnough = decision.ranking().stream()
                .anyMatch(s -> s.goodEnough() && s.model().id().equals(model));
        return goodEnough ? Placement.SPILLED : Placement.ELSEWHERE;
    }

    /**
     * Prints completions per model and per kind of work, and how many went where the ranking says; returns the
     * request ids of those that went elsewhere.
     */
    List<String> report(List<Completion> completions, PrintStream out) {
        Map<String, Map<String, Integer>> byWork = new TreeMap<>();
        Map<Placement, Integer> placements = new TreeMap<>();
        List<String> elsewhere = new ArrayList<>();
        for (Completion completion : completions) {
            Placement placement = placementOf(completion);
            placements.merge(placement, 1, Integer::sum);
            if (placement == Placement.ELSEWHERE) {
                elsewhere.add(completion.getRequestId() + " on " + completion.getModelId());
            }
            byWork.computeIfAbsent(work(completion), w -> new TreeMap<>()).merge(completion.getModelId(), 1,
                    Integer::sum);
        }
        out.println("routing, by tenant and kind of work (the ranking: quality within the margin, then cost):");
        byWork.forEach((work, models) -> out.printf("  %-40s %s%n", work, models.entrySet().stream()
                .map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", "))));
        Map<String, Long> byModel = completions.stream().collect(Collectors.groupingBy(Completion::getModelId,
                TreeMap::new, Collectors.counting()));
        Set<String> deployed = catalog.deployed().stream().map(m -> m.id()).collect(Collectors.toSet());
        out.printf("completions by model: %s; deployed and given none: %s%n", byModel,
                deployed.stream().filter(id -> !byModel.containsKey(id)).sorted().toList());
        out.printf("routing against the ranking: %d on its first choice, %d spilled to another good-enough model,"
                + " %d elsewhere%n", placements.getOrDefault(Placement.FIRST_CHOICE, 0),
                placements.getOrDefault(Placement.SPILLED, 0), elsewhere.size());
        return elsewhere;
    }

    private String work(Completion completion) {
        PromptRequest request = requests.get(completion.getRequestId());
        if (request == null) {
            return completion.getTenant() + " ?";
        }
        String language = request.getTargetLanguage() != null ? " into " + request.getTargetLanguage() : "";
        return completion.getTenant() + " " + request.getTask().name().toLowerCase(java.util.Locale.ROOT) + language;
    }
}
