package dev.sluice.job;

import dev.sluice.schema.DeadLetter;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.types.Either;

/**
 * Watermarks from the readable records only. A dead letter's timestamp is whatever its writer chose: were it to
 * count, one record stamped next year would make every real record after it late.
 */
final class ReadableWatermarks<T> implements WatermarkGenerator<Either<DeadLetter, T>> {

    private final WatermarkGenerator<T> readable;

    ReadableWatermarks(WatermarkGenerator<T> readable) {
        this.readable = readable;
    }

    @Override
    public void onEvent(Either<DeadLetter, T> event, long timestamp, WatermarkOutput output) {
        if (event.isRight()) {
            readable.onEvent(event.right(), timestamp, output);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        readable.onPeriodicEmit(output);
    }
}
