package dev.sluice.job;

import dev.sluice.routing.CatalogGate;
import dev.sluice.routing.CatalogGate.Accepted;
import dev.sluice.routing.CatalogGate.Reason;
import dev.sluice.routing.CatalogGate.Refused;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes on the catalog documents {@link CatalogGate} accepts, as text for the routers' broadcast state; counts and
 * logs the others, which leave the catalog in force unchanged, and keeps each as a dead letter (on
 * {@link DeadLetterSplitter#DEAD_LETTERS}) whose reason starts with the refusal's. Runs as one subtask beside the catalog source, so
 * each document is checked and counted once, not once per router. Logs never quote a refused document.
 */
final class CatalogCheckFunction extends ProcessFunction<CatalogRecord, String> {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogCheckFunction.class);

    private final CatalogGate gate;
    private transient Counter accepted;
    private transient Map<Reason, Counter> refused;

    CatalogCheckFunction(CatalogGate gate) {
        this.gate = gate;
    }

    @Override
    public void open(OpenContext context) {
        MetricGroup operator = getRuntimeContext().getMetricGroup();
        accepted = SluiceMetrics.CATALOG_DOCUMENTS_ACCEPTED.group(operator)
                .counter(SluiceMetrics.CATALOG_DOCUMENTS_ACCEPTED.name());
        // Every reason from the start, so that a dashboard shows zero rather than nothing.
        refused = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            refused.put(reason, SluiceMetrics.CATALOG_DOCUMENTS_REFUSED.group(operator, reason.name())
                    .counter(SluiceMetrics.CATALOG_DOCUMENTS_REFUSED.name()));
        }
        if (!gate.isOpen()) {
            LOG.warn("The catalog topic is off (no control-plane.public-key): routing follows the catalog file "
                    + "only, and documents on the topic are refused and counted");
        }
    }

    @Override
    public void processElement(CatalogRecord record, Context context, Collector<String> out) {
        CatalogGate.Verdict verdict = gate.check(record.document(), record.signature());
        if (verdict instanceof Accepted document) {
            accepted.inc();
            LOG.info("Catalog document at offset {} accepted: {} models, {} deployed, {} tenant policies",
                    record.source().offset(), document.catalog().models().size(), document.catalog().deployed().size(),
                    document.catalog().policies().size());
            out.collect(document.document());
        } else if (verdict instanceof Refused refusal) {
            refused.get(refusal.reason()).inc();
            LOG.warn("Catalog document at offset {} refused ({}); the catalog in force stays: {}",
                    record.source().offset(), refusal.reason(), refusal.detail());
            context.output(DeadLetterSplitter.DEAD_LETTERS, DeadLetters.of(record.source(), record.document(),
                    InferencePipeline.JOB_NAME, refusal.reason() + ": " + refusal.detail(),
                    System.currentTimeMillis()));
        }
    }
}
