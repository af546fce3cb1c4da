package dev.sluice.backend.triton;

import java.io.Serializable;
import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a Triton server's metrics page is, and which model's TensorRT-LLM gauges on it give a deployment's load.
 *
 * <p>The gauges are labelled with the model that runs the executor, which is not always the model Sluice calls: in
 * TensorRT-LLM's {@code ensemble} layout (and behind {@code tensorrt_llm_bls}) it is the composing
 * {@code tensorrt_llm} model ({@code NVIDIA/TensorRT-LLM}
 * {@code triton_backend/inflight_batcher_llm/src/custom_metrics_reporter/custom_metrics_reporter.cc} @0d5352f labels
 * them with the backend's own model name).
 *
 * @param url the page, e.g. {@code http://host:8002/metrics}: http or https, with a host
 * @param model the {@code model} label of the samples to read, e.g. {@code tensorrt_llm}; a Triton model name
 *     (letters, digits, {@code .}, {@code _}, {@code -}, starting with a letter or digit, at most 128 characters)
 */
public record MetricsPage(URI url, String model) implements Serializable {

    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public MetricsPage {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(model, "model");
        checkUrl(url);
        checkModel(model);
    }

    /** Throws where {@code url} cannot be a metrics page's address: not http or https, or without a host. */
    public static void checkUrl(URI url) {
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalArgumentException("a metrics URL must be http:// or https:// with a host, such as"
                    + " http://host:8002/metrics, got " + url);
        }
    }

    /** Throws where {@code model} cannot be a Triton model's name, so no sample could be labelled with it. */
    public static void checkModel(String model) {
        if (!MODEL_NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("a metrics model must be a Triton model name (letters, digits, '.', "
                    + "'_' and '-', starting with a letter or digit, at most 128 characters), such as tensorrt_llm, "
                    + "got '" + (model.length() > 140 ? model.substring(0, 140) + "..." : model) + "'");
        }
    }
}
