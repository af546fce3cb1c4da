package dev.sluice.config;

import java.io.Serializable;

/**
 * What a deployment's work costs, in the catalog's currency (one currency for the whole catalog, the operator's
 * choice): by tokens, per million prompt and completion tokens, or by GPU time, per GPU-hour. Either way the GPU
 * time of a request is estimated from what was measured: its service time (end to end less queueing) times the
 * deployment's GPUs, shared among the requests of its batch.
 *
 * @param inputPerMillion per million prompt tokens
 * @param outputPerMillion per million completion tokens
 * @param gpuHour per GPU-hour, instead of the two above
 * @param gpus GPUs that serve one batch; default 1
 */
public record Price(Double inputPerMillion, Double outputPerMillion, Double gpuHour, int gpus)
        implements Serializable {

    /** Without a price a deployment is still reckoned on one GPU, for GPU-seconds. */
    public static final int DEFAULT_GPUS = 1;

    public Price {
        gpus = gpus == 0 ? DEFAULT_GPUS : gpus;
        boolean byTokens = inputPerMillion != null || outputPerMillion != null;
        if (byTokens == (gpuHour != null)) {
            throw new IllegalArgumentException("price: give input-per-million and output-per-million, or gpu-hour");
        }
        if (byTokens && (inputPerMillion == null || outputPerMillion == null)) {
            throw new IllegalArgumentException("price: input-per-million and output-per-million go together");
        }
        for (Double value : new Double[] {inputPerMillion, outputPerMillion, gpuHour}) {
            if (value != null && !(value >= 0 && value < 1e6)) {
                throw new IllegalArgumentException("price: " + value + " is not a price between 0 and a million");
            }
        }
        if (gpus < 0) {
            throw new IllegalArgumentException("price: gpus must be positive, got " + gpus);
        }
    }

    public static Price perMillionTokens(double input, double output) {
        return new Price(input, output, null, DEFAULT_GPUS);
    }

    public static Price perGpuHour(double gpuHour, int gpus) {
        return new Price(null, null, gpuHour, gpus);
    }

    /** A request's GPU time: {@code serviceMs} on {@link #gpus} GPUs, shared by the {@code batchSize} in its batch. */
    public static double gpuSeconds(Price price, long serviceMs, int batchSize) {
        int gpus = price == null ? DEFAULT_GPUS : price.gpus;
        return Math.max(0, serviceMs) / 1000.0 * gpus / Math.max(1, batchSize);
    }

    /** What a request with these tokens and this GPU time costs. */
    public double cost(long promptTokens, long completionTokens, double gpuSeconds) {
        return gpuHour != null ? gpuSeconds / 3600 * gpuHour
                : (promptTokens * inputPerMillion + completionTokens * outputPerMillion) / 1e6;
    }
}
