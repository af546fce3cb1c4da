package dev.sluice.emulator;

import java.util.Objects;

/**
 * One model served by the emulator, with the GPU that runs it.
 *
 * @param name the model's name on the server
 * @param engine the simulated GPU
 * @param maxBatchSize the model's {@code max_batch_size}; 0 means no batch dimension
 */
public record EmulatedModel(String name, InflightBatchingEngine engine, int maxBatchSize) {

    public EmulatedModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(engine, "engine");
        if (maxBatchSize < 0) {
            throw new IllegalArgumentException("maxBatchSize must not be negative: " + maxBatchSize);
        }
    }
}
