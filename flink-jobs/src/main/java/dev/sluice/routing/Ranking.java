package dev.sluice.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Orders the models eligible for a request, best first, by rules each said in a line:
 * <ol>
 *   <li>the model, then the family, the request prefers;</li>
 *   <li>models whose servers are up before models whose servers are down;</li>
 *   <li>quality: the request's benchmark ({@link RequestNeeds#benchmark}) as published for each model. Every model
 *       within the catalog's margin of the best score counts as good enough, and among those the cheapest to serve
 *       comes first (the operator's cost per million tokens where each has one, else fewer active parameters; the
 *       better score between equals), unless its queue is long ({@link RankingSettings#spillInFlight}), when it
 *       spills behind the good-enough models whose queues are not;</li>
 *   <li>then the rest by score; models with no published score last, for Japanese work by the seed article's
 *       Japanese rating, then the larger first.</li>
 * </ol>
 * The order is the order of failover too: a request that its first model cannot serve goes to the next.
 */
final class Ranking {

    private final RankingSettings settings;
    private final ModelAvailability availability;

    Ranking(RankingSettings settings, ModelAvailability availability) {
        this.settings = settings;
        this.availability = availability;
    }

    List<RouteDecision.Scored> order(List<CatalogModel> eligible, RequestNeeds needs) {
        Map<List<Integer>, List<CatalogModel>> groups = new LinkedHashMap<>();
        eligible.stream()
                .sorted(Comparator.comparing((CatalogModel m) -> groupKey(m, needs), Ranking::compareKeys)
                        .thenComparing(CatalogModel::id))
                .forEach(m -> groups.computeIfAbsent(groupKey(m, needs), k -> new ArrayList<>()).add(m));
        List<RouteDecision.Scored> ordered = new ArrayList<>();
        groups.values().forEach(group -> ordered.addAll(orderGroup(group, needs)));
        return ordered;
    }

    /** What ranks before quality: the request's preference, then health. Lower first. */
    private List<Integer> groupKey(CatalogModel model, RequestNeeds needs) {
        int preference = model.id().equals(needs.preferredModel()) ? 0
                : model.family().equalsIgnoreCase(String.valueOf(needs.preferredFamily())) ? 1 : 2;
        return List.of(preference, isDown(model) ? 1 : 0);
    }

    private static int compareKeys(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private List<RouteDecision.Scored> orderGroup(List<CatalogModel> group, RequestNeeds needs) {
        Benchmark benchmark = needs.benchmark();
        OptionalDouble best = group.stream().map(m -> m.points(benchmark)).filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble).max();
        List<CatalogModel> goodEnough = new ArrayList<>();
        List<CatalogModel> rest = new ArrayList<>();
        for (CatalogModel model : group) {
            OptionalDouble points = model.points(benchmark);
            boolean within = points.isPresent() && points.getAsDouble() >= best.getAsDouble() - settings.qualityMargin();
            (within ? goodEnough : rest).add(model);
        }
        boolean byPrice = !goodEnough.isEmpty() && goodEnough.stream().allMatch(m -> m.costPerMillionTokens() != null);
        goodEnough.sort(Comparator.comparing((CatalogModel m) -> inFlight(m) >= settings.spillInFlight())
                .thenComparingDouble(m -> byPrice ? m.costPerMillionTokens() : m.activeParams())
                .thenComparingDouble(m -> -m.points(benchmark).getAsDouble())
                .thenComparing(CatalogModel::id));
        rest.sort(Comparator.comparingDouble((CatalogModel m) -> -m.points(benchmark).orElse(-1))
                .thenComparingInt(m -> needs.japanese() ? -m.japanese().points() : 0)
                .thenComparing(Comparator.comparingDouble(CatalogModel::activeParams).reversed())
                .thenComparing(CatalogModel::id));
        List<RouteDecision.Scored> scored = new ArrayList<>();
        for (CatalogModel model : goodEnough) {
            scored.add(scored(model, needs, best, true, byPrice));
        }
        for (CatalogModel model : rest) {
            scored.add(scored(model, needs, best, false, byPrice));
        }
        return scored;
    }

    private RouteDecision.Scored scored(CatalogModel model, RequestNeeds needs, OptionalDouble best,
            boolean goodEnough, boolean byPrice) {
        Benchmark benchmark = needs.benchmark();
        OptionalDouble points = model.points(benchmark);
        int inFlight = inFlight(model);
        List<String> reasons = new ArrayList<>();
        if (model.id().equals(needs.preferredModel())) {
            reasons.add("preferred by the request");
        } else if (model.family().equalsIgnoreCase(String.valueOf(needs.preferredFamily()))) {
            reasons.add("of the family the request prefers");
        }
        if (points.isEmpty()) {
            reasons.add("no published " + benchmark.label() + " score" + (needs.japanese()
                    ? ", the article rates its Japanese " + model.japanese().name().toLowerCase(Locale.ROOT) : ""));
        } else if (goodEnough) {
            reasons.add(String.format(Locale.ROOT, "%s %.1f, within %.1f of the best (%.1f)", benchmark.label(),
                    points.getAsDouble(), settings.qualityMargin(), best.getAsDouble()));
            reasons.add(byPrice
                    ? String.format(Locale.ROOT, "costs %.3g per million tokens", model.costPerMillionTokens())
                    : String.format(Locale.ROOT, "%.3gB active parameters", model.activeParams()));
        } else {
            reasons.add(String.format(Locale.ROOT, "%s %.1f, more than %.1f below the best (%.1f)",
                    benchmark.label(), points.getAsDouble(), settings.qualityMargin(), best.getAsDouble()));
        }
        reasons.add(inFlight >= settings.spillInFlight()
                ? inFlight + " in flight, queue long (spills at " + settings.spillInFlight() + ")"
                : inFlight + " in flight");
        return new RouteDecision.Scored(model, benchmark, points.isPresent() ? points.getAsDouble() : null, goodEnough,
                inFlight, reasons);
    }

    private boolean isDown(CatalogModel model) {
        return availability.isDown(model.id(), model.deployment().endpoint());
    }

    private int inFlight(CatalogModel model) {
        return availability.inFlight(model.id(), model.deployment().endpoint());
    }
}
