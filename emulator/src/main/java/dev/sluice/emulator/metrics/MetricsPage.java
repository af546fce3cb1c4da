package dev.sluice.emulator.metrics;

import java.util.Arrays;
import java.util.Locale;

/**
 * A page in Prometheus' text exposition format (version 0.0.4), written family by family: a {@code # HELP} and a
 * {@code # TYPE} line, then the family's samples, each {@code name{label="value",...} value}.
 *
 * <pre>{@code
 * MetricsPage page = new MetricsPage();
 * page.family("nv_inference_count", Type.COUNTER, "Number of inferences performed");
 * page.sample("nv_inference_count", 42, "model", "ensemble", "version", "1");
 * }</pre>
 */
public final class MetricsPage {

    /** A family's type, as the {@code # TYPE} line names it. */
    public enum Type { COUNTER, GAUGE, HISTOGRAM }

    private final StringBuilder text = new StringBuilder();

    /** Starts the family {@code name}; its samples follow. */
    public MetricsPage family(String name, Type type, String help) {
        text.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        text.append("# TYPE ").append(name).append(' ').append(type.name().toLowerCase(Locale.ROOT)).append('\n');
        return this;
    }

    /** One sample of the current family, {@code labels} given as name, value, name, value, ... */
    public MetricsPage sample(String name, double value, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + String.join(",", labels));
        }
        text.append(name);
        if (labels.length > 0) {
            text.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                text.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(escape(labels[i + 1]))
                        .append('"');
            }
            text.append('}');
        }
        text.append(' ').append(format(value)).append('\n');
        return this;
    }

    /** A family of one sample. */
    public MetricsPage metric(String name, Type type, String help, double value, String... labels) {
        return family(name, type, help).sample(name, value, labels);
    }

    /**
     * A histogram family of which only the totals are known: its {@code +Inf} bucket, sum and count. Enough for a mean
     * over time ({@code rate(x_sum) / rate(x_count)}); a quantile needs buckets the emulator does not keep.
     */
    public MetricsPage histogramTotals(String name, String help, double sum, long count, String... labels) {
        family(name, Type.HISTOGRAM, help);
        String[] withBound = Arrays.copyOf(labels, labels.length + 2);
        withBound[labels.length] = "le";
        withBound[labels.length + 1] = "+Inf";
        sample(name + "_bucket", count, withBound);
        sample(name + "_sum", sum, labels);
        return sample(name + "_count", count, labels);
    }

    /** The page, ready to serve. */
    @Override
    public String toString() {
        return text.toString();
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Whole numbers without a fraction, as counters read; others in Java's notation, which Prometheus parses. */
    private static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
