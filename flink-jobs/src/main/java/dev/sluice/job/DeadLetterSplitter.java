package dev.sluice.job;

import dev.sluice.schema.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Readable records on the main output; dead letters on {@link #DEAD_LETTERS}, each counted. */
final class DeadLetterSplitter<T> extends ProcessFunction<Either<DeadLetter, T>, T> {

    static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private final String input;
    private transient Counter deadLetters;

    /** {@code input}: the label of the counter, e.g. {@code run-commands}. */
    DeadLetterSplitter(String input) {
        this.input = input;
    }

    @Override
    public void open(OpenContext context) {
        // Registered up front, at 0, so an alert on its rate has a series before the first dead letter.
        deadLetters = SluiceMetrics.DEAD_LETTERS.group(getRuntimeContext().getMetricGroup(), input)
                .counter(SluiceMetrics.DEAD_LETTERS.name());
    }

    @Override
    public void processElement(Either<DeadLetter, T> decoded, Context context, Collector<T> out) {
        if (decoded.isRight()) {
            out.collect(decoded.right());
        } else {
            deadLetters.inc();
            context.output(DEAD_LETTERS, decoded.left());
        }
    }
}
