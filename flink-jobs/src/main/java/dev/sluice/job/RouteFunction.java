package dev.sluice.job;

import dev.sluice.config.ModelDeployment;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogGate;
import dev.sluice.routing.Obligations;
import dev.sluice.routing.RouteDecision;
import dev.sluice.routing.Router;
import dev.sluice.routing.TenantPolicy;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RouteExplanation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Routes each request with the current catalog: the one the job started with, until a newer document accepted by
 * {@link CatalogCheckFunction} (signed, within the update rules) replaces it in broadcast state (checkpointed, so a
 * restore keeps it). Requests no model may serve leave as outcomes with a reject and a metric. A routed request
 * carries the next eligible models too, for failover: only eligible ones.
 */
final class RouteFunction extends BroadcastProcessFunction<PromptRequest, String, RoutedRequest> {

    static final MapStateDescriptor<String, String> CATALOG =
            new MapStateDescriptor<>("catalog", Types.STRING, Types.STRING);
    static final OutputTag<InferenceOutcome> REFUSED = new OutputTag<>("refused") {};
    /** The choice and the eligible models next in rank that its requests may fail over to. */
    static final int MAX_TARGETS = 3;
    static final String CURRENT = "current";

    private final CatalogGate gate;
    private final int defaultMaxTokens;
    private transient CurrentCatalog catalogs;
    /** Each deployment's JSON, written once rather than for every request routed to it. */
    private transient Map<ModelDeployment, String> deploymentJson;

    /** {@code gate}: the catalog the job started with, and what a document in the state must still pass. */
    RouteFunction(CatalogGate gate, SluiceConfig config) {
        this.gate = gate;
        this.defaultMaxTokens = config.limits().toIntakeLimits().defaultMaxTokens();
    }

    @Override
    public void open(OpenContext context) {
        deploymentJson = new HashMap<>();
        catalogs = new CurrentCatalog(gate);
    }

    @Override
    public void processElement(PromptRequest request, ReadOnlyContext context, Collector<RoutedRequest> out)
            throws Exception {
        Catalog catalog = catalogs.of(context.getBroadcastState(CATALOG).get(CURRENT));
        Outcomes.Clock clock = Outcomes.Clock.startingNow();
        RouteDecision decision = new Router(catalog, ModelHealth.shared(), defaultMaxTokens).route(request);
        RouteExplanation explanation = new RouteExplanation(decision.because(), decision.excluded());
        if (decision.isRouted()) {
            List<RoutedRequest.Target> targets = decision.ranking().stream().limit(MAX_TARGETS)
                    .map(scored -> new RoutedRequest.Target(scored.model().id(),
                            deploymentJson.computeIfAbsent(scored.model().deployment(), Deployments::toJson),
                            scored.model().license(), Obligations.of(scored.model())))
                    .toList();
            double weight = catalog.policy(request.getTenant()).map(TenantPolicy::weight).orElse(1.0);
            out.collect(new RoutedRequest(request, targets, explanation, weight));
        } else {
            context.output(REFUSED, Outcomes.rejected(request, Outcomes.Target.NONE, decision.rejectReason(),
                    decision.because(), clock, System.nanoTime()));
        }
    }

    @Override
    public void processBroadcastElement(String document, Context context, Collector<RoutedRequest> out)
            throws Exception {
        context.getBroadcastState(CATALOG).put(CURRENT, document);
    }
}
