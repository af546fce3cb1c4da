package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.serde.JsonAvro;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code sluice bench report}: the docs' benchmark figures, rendered from the results they come from. A page marks
 * each place for a scenario's figures with {@code <!-- bench-report SCENARIO -->} and {@code <!-- /bench-report -->};
 * between them goes the newest result of that scenario in the results folder (by its {@code finished_at}): the
 * command, commit and machine that produced it, then every figure it holds, in a table. A figure quoted in prose
 * instead can go stale; one here cannot, since a test renders the blocks again and compares.
 */
final class BenchReport {

    private static final Pattern BLOCK =
            Pattern.compile("(<!-- bench-report ([a-z-]+) -->\n)(.*?)(<!-- /bench-report -->)", Pattern.DOTALL);
    private static final MathContext FIGURES = new MathContext(4);

    private BenchReport() {}

    /** The newest result of each scenario among the {@code .json} files of {@code folder}. */
    static Map<String, JsonNode> newest(Path folder) {
        Map<String, JsonNode> newest = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode result = JsonAvro.mapper().readTree(file.toFile());
                // As instants: their text drops trailing zeros of the fraction, so it does not sort by time.
                newest.merge(result.path("scenario").asText(), result, (kept, other) ->
                        finishedAt(kept).compareTo(finishedAt(other)) >= 0 ? kept : other);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the results in " + folder, e);
        }
        return newest;
    }

    private static Instant finishedAt(JsonNode result) {
        return Instant.parse(result.path("finished_at").asText());
    }

    /** The scenarios whose blocks {@code page} has, in order. */
    static List<String> scenarios(String page) {
        return BLOCK.matcher(page).results().map(match -> match.group(2)).toList();
    }

    /** {@code page} with every block rendered from {@code results}; a block without a result is an error. */
    static String update(String page, Map<String, JsonNode> results) {
        Matcher blocks = BLOCK.matcher(page);
        StringBuilder updated = new StringBuilder();
        while (blocks.find()) {
            JsonNode result = results.get(blocks.group(2));
            if (result == null) {
                throw new IllegalArgumentException("no result of scenario '" + blocks.group(2) + "' for its block");
            }
            blocks.appendReplacement(updated,
                    Matcher.quoteReplacement(blocks.group(1) + render(result) + blocks.group(4)));
        }
        return blocks.appendTail(updated).toString();
    }

    /** One result: where it comes from, then each figure. */
    static String render(JsonNode result) {
        StringBuilder text = new StringBuilder(provenance(result)).append("\n\n| figure | value |\n|---|---|\n");
        figures(result).forEach((name, value) -> text.append("| `").append(name).append("` | ").append(value)
                .append(" |\n"));
        return text.toString();
    }

    private static String provenance(JsonNode result) {
        JsonNode from = result.path("provenance");
        if (from.isMissingNode()) {
            return "*Provenance not recorded (a result from before benchmarks wrote it), finished "
                    + result.path("finished_at").asText() + ".*";
        }
        JsonNode machine = from.path("machine");
        return String.format(Locale.ROOT, "*`%s` at %s, finished %s, on %d cores (%s), %,d MB, %s; load average %.2f "
                        + "before and %.2f after; the run's own process used %.0f %% of the machine's CPU time%s.*",
                from.path("command").asText(), from.path("commit").asText(), result.path("finished_at").asText(),
                machine.path("cores").asInt(), machine.path("cpu").asText(), machine.path("memory_mb").asLong(),
                machine.path("java").asText(), from.path("load_average_before").asDouble(),
                from.path("load_average_after").asDouble(), 100 * from.path("cpu_share").asDouble(),
                from.path("cpu_bound").asBoolean() ? ": this machine's CPUs, not the modelled GPU, set the pace" : "");
    }

    /** Every figure of {@code result} but its provenance, by path: {@code servers.triton.ratio}. */
    private static Map<String, String> figures(JsonNode result) {
        Map<String, String> figures = new LinkedHashMap<>();
        result.fields().forEachRemaining(field -> {
            if (!List.of("scenario", "provenance", "finished_at").contains(field.getKey())) {
                flatten(field.getKey(), field.getValue(), figures);
            }
        });
        return figures;
    }

    private static void flatten(String path, JsonNode node, Map<String, String> figures) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> flatten(path + "." + field.getKey(), field.getValue(), figures));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                flatten(path + "." + name(element, i), element, figures);
            }
        } else {
            figures.put(path, format(node));
        }
    }

    /** An array element's name: its first text field's value (a server, a scenario), else its index. */
    private static String name(JsonNode element, int index) {
        if (element.isObject()) {
            for (JsonNode value : (Iterable<JsonNode>) element::elements) {
                if (value.isTextual()) {
                    return value.asText();
                }
            }
        }
        return String.valueOf(index);
    }

    private static String format(JsonNode value) {
        if (value.isIntegralNumber()) {
            return String.format(Locale.ROOT, "%,d", value.asLong());
        }
        if (value.isNumber()) {
            double number = value.asDouble();
            return Double.isFinite(number)
                    ? new BigDecimal(number).round(FIGURES).stripTrailingZeros().toPlainString() : String.valueOf(number);
        }
        return value.asText().replace("|", "\\|");
    }
}
