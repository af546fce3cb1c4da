package dev.sluice.job;

import dev.sluice.gateway.Gateway;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.ToLongFunction;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * A gateway's live state as gauges and a batch-size histogram. A gateway is shared by the subtasks of a
 * TaskManager, so only the first subtask to report a gateway registers its metrics: summing a metric over
 * subtasks and TaskManagers in Prometheus then counts each gateway once. (Were every subtask to report it, the
 * sum would count it once per subtask.) Should that subtask close while others still hold the gateway, its
 * metrics are gone until the gateway is made anew; Flink restarts a job's subtasks together, so in practice it
 * is not.
 */
final class GatewayMetrics {

    /** Gateways some subtask in this JVM reports; weak, so a closed gateway drops out. */
    private static final Set<Gateway> REPORTED =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private GatewayMetrics() {}

    /** Registers {@code gateway}'s metrics in {@code operator}'s group unless another subtask does already. */
    static void registerOnce(MetricGroup operator, String modelId, String endpoint, Gateway gateway) {
        if (!REPORTED.add(gateway)) {
            return;
        }
        gauge(operator, SluiceMetrics.QUEUED, modelId, endpoint, gateway, s -> s.queued());
        gauge(operator, SluiceMetrics.IN_FLIGHT, modelId, endpoint, gateway, s -> s.inFlight());
        gauge(operator, SluiceMetrics.CONCURRENCY_LIMIT, modelId, endpoint, gateway, s -> s.limit());
        gauge(operator, SluiceMetrics.OPEN_CIRCUITS, modelId, endpoint, gateway, s -> s.openCircuits());
        gauge(operator, SluiceMetrics.BATCHES, modelId, endpoint, gateway, Gateway.Stats::calls);
        gauge(operator, SluiceMetrics.BATCHED_REQUESTS, modelId, endpoint, gateway, Gateway.Stats::requests);
        gauge(operator, SluiceMetrics.RETRIES, modelId, endpoint, gateway, Gateway.Stats::retries);
        SluiceMetrics.BATCH_SIZE.group(operator, modelId, endpoint)
                .histogram(SluiceMetrics.BATCH_SIZE.name(), new BatchSizeHistogram(gateway::batchSizes));
    }

    private static void gauge(MetricGroup operator, SluiceMetrics.Metric metric, String modelId, String endpoint,
            Gateway gateway, ToLongFunction<Gateway.Stats> value) {
        Gauge<Long> gauge = () -> value.applyAsLong(gateway.stats());
        metric.group(operator, modelId, endpoint).gauge(metric.name(), gauge);
    }
}
