package dev.sluice.job;

import dev.sluice.intake.DecodedRecord;
import dev.sluice.intake.IntakeLimits;
import dev.sluice.intake.Problem;
import dev.sluice.intake.PromptDecoder;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Decodes, validates and flattens prompt records; whatever cannot be served goes to the rejects output. */
final class DecodeFunction extends ProcessFunction<SourceRecord, PromptRequest> {

    static final OutputTag<Reject> REJECTS = new OutputTag<>("decode-rejects") {};

    private final IntakeLimits limits;
    private transient PromptDecoder decoder;
    private transient RejectCounters rejects;

    DecodeFunction(IntakeLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext context) {
        decoder = new PromptDecoder(limits);
        rejects = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(SourceRecord record, Context context, Collector<PromptRequest> out) {
        DecodedRecord decoded = decoder.decode(record.value());
        decoded.requests().forEach(out::collect);
        long now = context.timerService().currentProcessingTime();
        boolean first = true;
        for (Problem problem : decoded.problems()) {
            context.output(REJECTS, Rejects.fromSource(problem, record, first, now));
            rejects.count(problem.reason());
            first = false;
        }
    }
}
