package dev.sluice.backend.triton;

import java.time.Duration;
import java.util.Objects;

/**
 * How to call one model on a Triton server.
 *
 * @param modelName the model's name on the server, e.g. {@code ensemble}
 * @param modelVersion the version, empty for the server's version policy
 * @param tensors the model's tensor names
 * @param maxBatchSize most requests per {@code ModelInfer}; the model's {@code max_batch_size} bounds it
 * @param streaming whether to use {@code ModelStreamInfer}
 * @param callTimeout deadline of each call
 * @param guidedDecoding the deployment promises guided decoding: start-up requires the guided-decoding tensors
 * @param priorityLevels 0: requests carry no priority. N (at least 2): the model's dynamic batcher has at least N
 *     {@code priority_levels}, which start-up checks, and each request says its level in the {@code priority}
 *     parameter: interactive ones 1, the highest, batch work N
 * @param metricsPage the server's metrics page and the model whose TensorRT-LLM executor gauges there give the load
 *     the backend reads; null where it reads none
 */
public record TritonModelOptions(
        String modelName, String modelVersion, TritonTensorNames tensors, int maxBatchSize, Streaming streaming,
        Duration callTimeout, boolean guidedDecoding, int priorityLevels, MetricsPage metricsPage) {

    /** When to stream. */
    public enum Streaming {
        /** Stream exactly when the model is decoupled (its config says so). */
        AUTO,
        /** Always unary {@code ModelInfer}: refused at start-up for a decoupled model. */
        OFF,
        /** Always {@code ModelStreamInfer}: one stream per channel carrying every request. */
        ON
    }

    public TritonModelOptions {
        Objects.requireNonNull(modelName, "modelName");
        modelVersion = modelVersion == null ? "" : modelVersion;
        Objects.requireNonNull(tensors, "tensors");
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1: " + maxBatchSize);
        }
        Objects.requireNonNull(streaming, "streaming");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (priorityLevels != 0 && priorityLevels < 2) {
            throw new IllegalArgumentException("priority levels must be 0 (none sent) or at least 2: "
                    + priorityLevels);
        }
    }

    /** Options of a deployment whose server's load is not read. */
    public TritonModelOptions(String modelName, String modelVersion, TritonTensorNames tensors, int maxBatchSize,
            Streaming streaming, Duration callTimeout, boolean guidedDecoding, int priorityLevels) {
        this(modelName, modelVersion, tensors, maxBatchSize, streaming, callTimeout, guidedDecoding, priorityLevels,
                null);
    }

    /** Options of a deployment whose requests carry no priority. */
    public TritonModelOptions(String modelName, String modelVersion, TritonTensorNames tensors, int maxBatchSize,
            Streaming streaming, Duration callTimeout, boolean guidedDecoding) {
        this(modelName, modelVersion, tensors, maxBatchSize, streaming, callTimeout, guidedDecoding, 0, null);
    }

    /** Whether each request says its priority level. */
    public boolean sendsPriority() {
        return priorityLevels > 0;
    }

    /** The level a request asks for: 1, the highest, when someone waits for it, else the lowest. */
    long priorityLevel(boolean interactive) {
        return interactive ? 1 : priorityLevels;
    }

    /** These options, each request saying its level among {@code levels} (0: none). */
    public TritonModelOptions withPriorityLevels(int levels) {
        return new TritonModelOptions(modelName, modelVersion, tensors, maxBatchSize, streaming, callTimeout,
                guidedDecoding, levels, metricsPage);
    }

    /** These options, the server's load read from {@code page} (null: not read). */
    public TritonModelOptions withMetricsPage(MetricsPage page) {
        return new TritonModelOptions(modelName, modelVersion, tensors, maxBatchSize, streaming, callTimeout,
                guidedDecoding, priorityLevels, page);
    }

    /** Options of a deployment that promises no guided decoding. */
    public TritonModelOptions(String modelName, String modelVersion, TritonTensorNames tensors, int maxBatchSize,
            Streaming streaming, Duration callTimeout) {
        this(modelName, modelVersion, tensors, maxBatchSize, streaming, callTimeout, false, 0, null);
    }

    /** The ensemble tensor names, batches of up to 64, streaming when decoupled, 60 s per call. */
    public static TritonModelOptions ofDefaults(String modelName) {
        return new TritonModelOptions(modelName, "", TritonTensorNames.ensemble(), 64, Streaming.AUTO,
                Duration.ofSeconds(60));
    }
}
