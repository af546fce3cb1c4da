package dev.sluice.job;

import dev.sluice.config.Tenancy;
import dev.sluice.config.Topics;
import dev.sluice.intake.DecodedRecord;
import dev.sluice.intake.IntakeLimits;
import dev.sluice.intake.Problem;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.registry.RegistrySettings;
import dev.sluice.registry.SchemaRegistryClient;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.serde.Truncation;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes, validates and flattens prompt records; whatever cannot be served goes to the rejects output. In
 * {@code tenancy: topic} the topic a record was read from names its tenant: a request that claims another is
 * rejected {@link RejectReason#TENANT_MISMATCH}, and every reject of the record goes to the topic's tenant, never
 * to the one a record claims.
 */
final class DecodeFunction extends ProcessFunction<SourceRecord, PromptRequest> {

    static final OutputTag<Reject> REJECTS = new OutputTag<>("decode-rejects") {};
    /** How much of a claimed tenant a reject's message quotes: the claim is the sender's, of any length. */
    private static final int QUOTED_TENANT_CHARS = 64;

    private final IntakeLimits limits;
    private final Topics topics;
    private final RegistrySettings registry;
    private transient PromptDecoder decoder;
    private transient RejectCounters rejects;

    /** {@code registry} null: registry-framed records are rejected. */
    DecodeFunction(IntakeLimits limits, Topics topics, RegistrySettings registry) {
        this.limits = limits;
        this.topics = topics;
        this.registry = registry;
    }

    @Override
    public void open(OpenContext context) {
        decoder = new PromptDecoder(limits, registry == null ? null : new SchemaRegistryClient(registry));
        rejects = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(SourceRecord record, Context context, Collector<PromptRequest> out) {
        DecodedRecord decoded = decoder.decode(record.value());
        String owner = owner(record);
        List<Problem> problems = new ArrayList<>(decoded.problems());
        for (PromptRequest request : decoded.requests()) {
            if (owner == null || owner.equals(request.getTenant())) {
                out.collect(request);
            } else {
                problems.add(new Problem(RejectReason.TENANT_MISMATCH, "the request claims tenant '"
                        + Truncation.text(request.getTenant(), QUOTED_TENANT_CHARS) + "', but " + record.topic()
                        + " belongs to tenant '" + owner + "'", request.getRequestId(), owner, request));
            }
        }
        long now = context.timerService().currentProcessingTime();
        boolean first = true;
        for (Problem problem : problems) {
            Reject reject = Rejects.fromSource(problem, record, first, now);
            if (owner != null) {
                reject.setTenant(owner);
            }
            context.output(REJECTS, reject);
            rejects.count(problem.reason());
            first = false;
        }
    }

    /** The tenant whose topic the record was read from; null in {@code tenancy: record}. */
    private String owner(SourceRecord record) {
        if (topics.tenancy() == Tenancy.record) {
            return null;
        }
        // The source subscribes to the tenants' prompts topics only, so every record's topic names one.
        return topics.tenantOf(record.topic()).orElseThrow(() -> new IllegalStateException(
                "prompts read from " + record.topic() + ", which is no tenant's prompts topic"));
    }
}
