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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code sluice bench report}: the docs' benchmark figures, rendered from the results they come from. A page marks
 * each place for a result's figures with {@code <!-- bench-report KEY -->} and {@code <!-- /bench-report -->}, the key
 * being the result's scenario, followed by {@code -VARIANT} where the result names one (the protocol of a
 * {@code saturation} run over HTTP). Between them goes the newest result of that key in the results folder (by its
 * {@code finished_at}): the command, commit and machine that produced it, then every figure it holds. A figure
 * quoted in prose instead can go stale; one here cannot, since a test renders the blocks again and compares.
 *
 * <p>Figures are laid out as a reader compares them: single values in one table; a list of like objects (clients,
 * servers, fault scenarios) as a table with a row each; sibling maps with the same keys (records sent and answered
 * by kind) as one table with a column each.
 */
final class BenchReport {

    private static final Pattern BLOCK =
            Pattern.compile("(<!-- bench-report ([a-z0-9-]+) -->\n)(.*?)(<!-- /bench-report -->)", Pattern.DOTALL);
    private static final MathContext FIGURES = new MathContext(4);
    private static final Set<String> NOT_FIGURES = Set.of("scenario", "variant", "provenance", "finished_at");

    private BenchReport() {}

    /** The newest result of each key among the {@code .json} files of {@code folder}. */
    static Map<String, JsonNode> newest(Path folder) {
        Map<String, JsonNode> newest = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode result = JsonAvro.mapper().readTree(file.toFile());
                // As instants: their text drops trailing zeros of the fraction, so it does not sort by time.
                newest.merge(key(result), result, (kept, other) ->
                        finishedAt(kept).compareTo(finishedAt(other)) >= 0 ? kept : other);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the results in " + folder, e);
        }
        return newest;
    }

    /** The block a result belongs in: its scenario, and its variant where it names one. */
    static String key(JsonNode result) {
        String variant = result.path("variant").asText("");
        return result.path("scenario").asText() + (variant.isEmpty() ? "" : "-" + variant);
    }

    private static Instant finishedAt(JsonNode result) {
        return Instant.parse(result.path("finished_at").asText());
    }

    /** {@code docs} itself when it is a page, else the Markdown pages directly in that folder, by name. */
    static List<Path> pages(Path docs) throws IOException {
        if (!Files.isDirectory(docs)) {
            return List.of(docs);
        }
        try (Stream<Path> files = Files.list(docs)) {
            return files.filter(file -> file.toString().endsWith(".md")).sorted().toList();
        }
    }

    /** The keys whose blocks {@code page} has, in order. */
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

    /** One result: where it comes from, then its figures. */
    static String render(JsonNode result) {
        Layout layout = new Layout();
        layout.object("", result, NOT_FIGURES);
        StringBuilder text = new StringBuilder(provenance(result)).append("\n\n| figure | value |\n|---|---|\n");
        layout.figures.forEach((name, value) -> text.append("| `").append(name).append("` | ").append(value)
                .append(" |\n"));
        layout.tables.forEach(table -> text.append('\n').append(table));
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

    /** A result's figures: single values by path ({@code poison.lost}), and the tables of its lists and maps. */
    private static final class Layout {

        final Map<String, String> figures = new LinkedHashMap<>();
        final List<String> tables = new ArrayList<>();

        void object(String path, JsonNode node, Set<String> skipped) {
            Map<Set<String>, List<String>> mapsByKeys = new LinkedHashMap<>();
            node.fields().forEachRemaining(field -> {
                if (!skipped.contains(field.getKey()) && isMapOfValues(field.getValue())) {
                    mapsByKeys.computeIfAbsent(keys(field.getValue()), keys -> new ArrayList<>()).add(field.getKey());
                }
            });
            node.fields().forEachRemaining(field -> {
                String name = field.getKey();
                JsonNode value = field.getValue();
                String at = path.isEmpty() ? name : path + "." + name;
                List<String> alike = isMapOfValues(value) ? mapsByKeys.get(keys(value)) : List.of();
                if (skipped.contains(name)) {
                    return;
                }
                if (alike.size() > 1) {
                    if (alike.get(0).equals(name)) {
                        tables.add(columns(path, node, alike));
                    }
                } else if (value.isObject()) {
                    object(at, value, Set.of());
                } else if (value.isArray() && !value.isEmpty()
                        && Stream.of(elements(value)).allMatch(JsonNode::isObject)) {
                    tables.add(rows(at, value));
                } else if (value.isArray()) {
                    figures.put(at, cell(value));
                } else {
                    figures.put(at, format(value));
                }
            });
        }

        /** A list of like objects: a row each, a column for each field any of them has. */
        private static String rows(String path, JsonNode list) {
            Set<String> columns = new LinkedHashSet<>();
            for (JsonNode element : elements(list)) {
                element.fieldNames().forEachRemaining(columns::add);
            }
            StringBuilder table = new StringBuilder("`").append(path).append("`:\n\n")
                    .append(header(List.copyOf(columns)));
            for (JsonNode element : elements(list)) {
                table.append('|');
                for (String column : columns) {
                    table.append(' ').append(element.has(column) ? cell(element.get(column)) : "").append(" |");
                }
                table.append('\n');
            }
            return table.toString();
        }

        /** Sibling maps with the same keys: a row per key, a column per map. */
        private static String columns(String path, JsonNode parent, List<String> maps) {
            List<String> columns = new ArrayList<>(List.of("key"));
            columns.addAll(maps);
            StringBuilder table = new StringBuilder(path.isEmpty() ? "" : "`" + path + "`:\n\n")
                    .append(header(columns));
            for (String key : keys(parent.get(maps.get(0)))) {
                table.append("| ").append(key).append(" |");
                maps.forEach(map -> table.append(' ').append(format(parent.get(map).get(key))).append(" |"));
                table.append('\n');
            }
            return table.toString();
        }

        private static String header(List<String> columns) {
            return columns.stream().map(column -> " `" + column + "` |").collect(Collectors.joining("", "|", "\n"))
                    + "|" + "---|".repeat(columns.size()) + "\n";
        }
    }

    private static boolean isMapOfValues(JsonNode node) {
        return node.isObject() && !node.isEmpty() && Stream.of(elements(node)).allMatch(JsonNode::isValueNode);
    }

    private static Set<String> keys(JsonNode map) {
        Set<String> keys = new LinkedHashSet<>();
        map.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static JsonNode[] elements(JsonNode container) {
        List<JsonNode> elements = new ArrayList<>();
        container.elements().forEachRemaining(elements::add);
        return elements.toArray(JsonNode[]::new);
    }

    /** A value in a table's cell: a map or list of values as {@code name value, ...} on one line. */
    private static String cell(JsonNode value) {
        if (value.isContainerNode() && value.isEmpty()) {
            return "-";
        }
        if (value.isObject()) {
            List<String> parts = new ArrayList<>();
            value.fields().forEachRemaining(field -> parts.add(field.getKey() + " " + cell(field.getValue())));
            return String.join(", ", parts);
        }
        if (value.isArray()) {
            return Stream.of(elements(value)).map(BenchReport::cell).collect(Collectors.joining(", "));
        }
        return format(value);
    }

    static String format(JsonNode value) {
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
