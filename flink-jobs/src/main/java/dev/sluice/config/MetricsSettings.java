package dev.sluice.config;

import java.io.Serializable;

/**
 * Where the job's metrics go.
 *
 * @param prometheusPort port of Flink's Prometheus reporter on a local run ({@code sluice run}, {@code sluice demo});
 *     0 or absent: no reporter. On a cluster, Flink's own configuration sets the reporter (see docs/metrics.md).
 */
public record MetricsSettings(int prometheusPort) implements Serializable {

    public MetricsSettings {
        if (prometheusPort < 0 || prometheusPort > 65535) {
            throw new IllegalArgumentException("metrics.prometheus-port must be between 0 and 65535");
        }
    }

    public static MetricsSettings ofDefaults() {
        return new MetricsSettings(0);
    }
}
