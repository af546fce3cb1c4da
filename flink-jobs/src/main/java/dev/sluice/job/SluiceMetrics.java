package dev.sluice.job;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.metrics.MetricGroup;

/**
 * Every metric Sluice registers in Flink's metric system, and the names Flink's Prometheus reporter gives them.
 * Registration goes through these definitions, and the dashboard test checks its queries against
 * {@link #prometheusNames()}, so the code, the dashboard and docs/metrics.md cannot drift apart.
 *
 * <p>Metrics live in the operator's group {@value #GROUP}, under key/value groups ({@code model}, {@code endpoint},
 * {@code reason}, {@code input}). Flink's Prometheus reporter joins the logical scope with {@code _} (keys in, values out) and
 * turns the values into labels: {@code queued} with model and endpoint becomes
 * {@code flink_taskmanager_job_task_operator_sluice_model_endpoint_queued{model="…",endpoint="…",…}}.
 */
final class SluiceMetrics {

    static final String GROUP = "sluice";
    /** The logical scope of an operator's metrics, as the Prometheus reporter writes it. */
    static final String OPERATOR_SCOPE = "flink_taskmanager_job_task_operator";

    static final List<String> MODEL_ENDPOINT = List.of("model", "endpoint");
    static final List<String> REASON = List.of("reason");
    static final List<String> INPUT = List.of("input");
    static final List<String> TENANT = List.of("tenant");

    /** How Flink reports a metric; a histogram becomes a Prometheus summary. */
    enum Kind { GAUGE, COUNTER, METER, HISTOGRAM }

    /**
     * One metric.
     *
     * @param name its name within its group
     * @param labels the keys of its key/value groups, outermost first
     * @param kind gauge, counter, meter or histogram
     * @param meaning what it says, for docs/metrics.md
     */
    record Metric(String name, List<String> labels, Kind kind, String meaning) {

        /** The name of its Prometheus metric family. */
        String prometheusName() {
            return OPERATOR_SCOPE + "_" + GROUP + "_" + (labels.isEmpty() ? "" : String.join("_", labels) + "_")
                    + name;
        }

        /** The sample names a scrape shows: a summary adds its {@code _count} to its quantile samples. */
        Stream<String> prometheusSamples() {
            return kind == Kind.HISTOGRAM ? Stream.of(prometheusName(), prometheusName() + "_count")
                    : Stream.of(prometheusName());
        }

        /** The group to register it in under {@code operator}, with {@code values} for its labels, in order. */
        MetricGroup group(MetricGroup operator, String... values) {
            if (values.length != labels.size()) {
                throw new IllegalArgumentException(name + " takes labels " + labels);
            }
            MetricGroup group = operator.addGroup(GROUP);
            for (int i = 0; i < values.length; i++) {
                group = group.addGroup(labels.get(i), values[i]);
            }
            return group;
        }
    }

    // The gateway's state: one gateway per deployment per TaskManager, reported by one subtask (GatewayMetrics).
    static final Metric QUEUED = gauge("queued", "requests waiting in the gateway, retries backing off included");
    static final Metric IN_FLIGHT = gauge("in_flight", "requests at the servers");
    static final Metric CONCURRENCY_LIMIT = gauge("concurrency_limit",
            "requests the servers may have at once: the sum of the replicas' adaptive limits");
    static final Metric OPEN_CIRCUITS = gauge("open_circuits", "replicas whose circuit breaker is open or half-open");
    static final Metric BATCHES = gauge("batches", "batches sent since the gateway started (cumulative)");
    static final Metric BATCHED_REQUESTS = gauge("batched_requests",
            "requests sent in those batches (cumulative; ÷ batches = mean batch size)");
    static final Metric RETRIES = gauge("retries", "requests queued again after a retryable failure (cumulative)");
    static final Metric BATCH_SIZE = new Metric("batch_size", MODEL_ENDPOINT, Kind.HISTOGRAM,
            "requests per batch sent, over every batch since the gateway started");

    // Outcomes, counted by each subtask that splits them: sum over subtasks.
    static final Metric COMPLETIONS = new Metric("completions", MODEL_ENDPOINT, Kind.COUNTER, "requests completed");
    static final Metric OUTPUT_TOKENS = new Metric("output_tokens", MODEL_ENDPOINT, Kind.COUNTER,
            "completion tokens generated");
    static final Metric OUTPUT_TOKENS_PER_SECOND = new Metric("output_tokens_per_second", MODEL_ENDPOINT, Kind.METER,
            "completion tokens per second, over the last minute");
    static final Metric LATENCY_MS = new Metric("latency_ms", MODEL_ENDPOINT, Kind.HISTOGRAM,
            "end-to-end milliseconds of completed requests, over each subtask's last 1024");
    static final Metric REJECTS = new Metric("rejects", REASON, Kind.COUNTER,
            "records or requests rejected, by reject reason (decode, routing and inference alike)");

    // A job's own inputs, counted by the subtask that reads them.
    static final Metric DEAD_LETTERS = new Metric("dead_letters", INPUT, Kind.COUNTER,
            "records of a job's own input (run-commands, metrics) that could not be read, kept on the dead-letters topic");

    // The control plane: documents of the catalog topic, checked by one subtask (CatalogCheckFunction).
    static final Metric CATALOG_DOCUMENTS_ACCEPTED = new Metric("catalog_documents_accepted", List.of(),
            Kind.COUNTER, "signed catalog documents accepted from the catalog topic and applied");
    static final Metric CATALOG_DOCUMENTS_REFUSED = new Metric("catalog_documents_refused", REASON, Kind.COUNTER,
            "catalog documents refused, by reason: TOPIC_OFF, TOO_LARGE, UNSIGNED, BAD_SIGNATURE, NOT_UTF8, "
                    + "UNPARSEABLE, NOT_ALLOWED");

    // Each tenant's budget and quota, reported by the subtask that keeps them (TenantLimits) once it has seen it.
    static final Metric BUDGET_USED = new Metric("budget_used", TENANT, Kind.GAUGE,
            "share of the tenant's budget spent this period (tokens or cost, whichever is further): 1 or more is spent");
    static final Metric HELD = new Metric("held", TENANT, Kind.GAUGE,
            "the tenant's batch requests held until its budget or its tokens-per-minute quota allows them");

    static final List<Metric> ALL = List.of(QUEUED, IN_FLIGHT, CONCURRENCY_LIMIT, OPEN_CIRCUITS, BATCHES,
            BATCHED_REQUESTS, RETRIES, BATCH_SIZE, COMPLETIONS, OUTPUT_TOKENS, OUTPUT_TOKENS_PER_SECOND, LATENCY_MS,
            REJECTS, DEAD_LETTERS, CATALOG_DOCUMENTS_ACCEPTED, CATALOG_DOCUMENTS_REFUSED, BUDGET_USED, HELD);

    private SluiceMetrics() {}

    /** Every sample name Sluice's metrics show in a scrape of Flink's Prometheus reporter. */
    static Set<String> prometheusNames() {
        return ALL.stream().flatMap(Metric::prometheusSamples).collect(Collectors.toUnmodifiableSet());
    }

    private static Metric gauge(String name, String meaning) {
        return new Metric(name, MODEL_ENDPOINT, Kind.GAUGE, meaning);
    }
}
