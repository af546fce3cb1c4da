package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's table of the benchmarks' targets: each target beside the figure of the newest result it is measured
 * on, whether that figure meets it, and, where it does not, the section of docs/benchmarks.md that shows the target
 * out of reach on the emulated GPU. Rendered into the block between {@code <!-- bench-targets -->} and
 * {@code <!-- /bench-targets -->} by {@code sluice bench report}, and checked by a test, as the docs' figure blocks
 * are ({@link BenchReport}).
 */
final class BenchTargets {

    private static final Pattern BLOCK =
            Pattern.compile("(<!-- bench-targets -->\n)(.*?)(<!-- /bench-targets -->)", Pattern.DOTALL);

    /**
     * One target: the figure {@code figure} of the newest result of {@code key}, over its figure {@code per} where
     * one is named, at least or at most {@code bound}.
     *
     * @param outOfReach the section of docs/benchmarks.md whose arithmetic shows the target out of reach when it is
     *     not met, null for none
     */
    record Target(String key, String what, String figure, String per, boolean atLeast, double bound,
            String outOfReach) {

        /** The measured figure in {@code results}; null without a result or a figure. */
        Double measured(Map<String, JsonNode> results) {
            JsonNode result = results.get(key);
            if (result == null || !result.path(figure).isNumber() || (per != null && !result.path(per).isNumber())) {
                return null;
            }
            double value = result.path(figure).asDouble();
            return per == null ? value : value / result.path(per).asDouble();
        }

        boolean metBy(double measured) {
            return atLeast ? measured >= bound : measured <= bound;
        }
    }

    static final List<Target> TARGETS = List.of(
            new Target("saturation", "output tokens/s through the whole pipeline over the emulated GPU's most",
                    "sluice_pipeline_ratio", null, true, 0.95, null),
            new Target("saturation", "the same over the naive client's", "sluice_pipeline_over_naive", null, true, 1.1,
                    "saturation"),
            new Target("saturation", "the same over the best `ML_PREDICT` setting's",
                    "sluice_pipeline_over_ml_predict_best", null, true, 1.2, "saturation"),
            new Target("priority", "interactive p99 TTFT under batch load over idle, SGLang worker", "ratio", null,
                    false, 2, null),
            new Target("priority", "batch tokens/s beside interactive work over alone, SGLang worker", "bulk_ratio",
                    null, true, 0.9, null),
            new Target("priority", "interactive p99 TTFT under batch load over idle, Triton ensemble",
                    "triton_metrics_ratio", null, false, 2, "priority"),
            new Target("fairness", "light tenant's p99 latency beside a ten-fold heavy one over alone", "ratio", null,
                    false, 1.5, "fairness"),
            new Target("fairness", "a tenant's token share off its weight's", "share_error", null, false, 0.1, null),
            new Target("prefix", "cache hits with prefix grouping over with affinity alone", "hit_rate_on",
                    "hit_rate_affinity_only", true, 0.9, null),
            new Target("prefix", "output tokens/s with prefix grouping over without", "tokens_per_second_on",
                    "tokens_per_second_off", true, 1.1, null),
            new Target("prefix-long", "the same two, long shared prefixes: cache hits over affinity alone's",
                    "hit_rate_on", "hit_rate_affinity_only", true, 0.9, null),
            new Target("prefix-long", "output tokens/s over without grouping", "tokens_per_second_on",
                    "tokens_per_second_off", true, 1.1, null),
            new Target("overhead", "prompts/s through the pipeline over a bare Flink job", "ratio", null, true, 0.8,
                    "overhead"),
            new Target("memory", "heap growth per 100,000 prompts once steady, MB", "slope_mb_per_100k_prompts",
                    null, false, 1, null));

    private BenchTargets() {}

    /** {@code page} with its targets block, if it has one, rendered from {@code results}. */
    static String update(String page, Map<String, JsonNode> results) {
        Matcher block = BLOCK.matcher(page);
        if (!block.find()) {
            return page;
        }
        return page.substring(0, block.start()) + block.group(1) + render(results) + block.group(3)
                + page.substring(block.end());
    }

    /** Whether {@code page} has a targets block. */
    static boolean hasBlock(String page) {
        return BLOCK.matcher(page).find();
    }

    static String render(Map<String, JsonNode> results) {
        StringBuilder table = new StringBuilder("| benchmark | figure | measured | target | met | measured at |\n"
                + "|---|---|---|---|---|---|\n");
        for (Target target : TARGETS) {
            Double measured = target.measured(results);
            String section = target.key().replaceFirst("-.*", "");
            table.append("| [").append(target.key()).append("](docs/benchmarks.md#").append(section).append(") | ")
                    .append(target.what()).append(" | ")
                    .append(measured == null ? "none" : BenchReport.format(new DoubleNode(measured))).append(" | ")
                    .append(target.atLeast() ? "≥ " : "≤ ")
                    .append(BenchReport.format(new DoubleNode(target.bound()))).append(" | ")
                    .append(verdict(target, measured)).append(" | ")
                    .append(measured == null ? "" : results.get(target.key()).at("/provenance/commit").asText())
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String verdict(Target target, Double measured) {
        if (measured != null && target.metBy(measured)) {
            return "yes";
        }
        if (measured != null && target.outOfReach() != null) {
            return String.format(Locale.ROOT, "no: out of reach, [the arithmetic](docs/benchmarks.md#%s)",
                    target.outOfReach());
        }
        return "**no**";
    }
}
