package dev.sluice.routing;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The published benchmarks the catalog may hold for a model, as the seed article compares models, each with the
 * scale it is published on. Routing compares models on one of them at a time, as points out of 100.
 */
public enum Benchmark {
    MMLU("mmlu", "MMLU", 100),
    HUMANEVAL("humaneval", "HumanEval", 100),
    GSM8K("gsm8k", "GSM8K", 100),
    MT_BENCH("mt-bench", "MT-Bench", 10),
    /** As the Swallow evaluation publishes it: the judge's ten-point score divided by ten. */
    JAPANESE_MT_BENCH("japanese-mt-bench", "Japanese MT-Bench", 1);

    private final String key;
    private final String label;
    private final double scale;

    Benchmark(String key, String label, double scale) {
        this.key = key;
        this.label = label;
        this.scale = scale;
    }

    /** The catalog's key for it, e.g. {@code mmlu}. */
    public String key() {
        return key;
    }

    /** How it is written for people, e.g. {@code MMLU}. */
    public String label() {
        return label;
    }

    /** The highest score it is published with: 100 for accuracies in per cent, 10 or 1 for judges' scores. */
    public double scale() {
        return scale;
    }

    /** A published score as points out of 100, so a margin means the same on every benchmark. */
    public double points(double score) {
        return score * 100 / scale;
    }

    public static Optional<Benchmark> ofKey(String key) {
        String wanted = key.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(b -> b.key.equals(wanted)).findFirst();
    }
}
