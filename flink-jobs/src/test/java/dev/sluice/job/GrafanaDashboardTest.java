package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard queries only metrics Sluice exports. */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "sluice-dashboard.json");

    /** Label lists of aggregations and vector matching: names of labels, not of metrics. */
    private static final Pattern LABEL_LISTS =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern STRINGS = Pattern.compile("\"[^\"]*\"");
    /** Label matchers, and range and subquery selectors (with Grafana's variables in them). */
    private static final Pattern SELECTORS = Pattern.compile("\\{[^}]*}|\\[[^]]*]");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Set<String> KEYWORDS =
            Set.of("and", "or", "unless", "bool", "offset", "group_left", "group_right");

    @Test
    void everyQueriedMetricIsOneSluiceExports() throws IOException {
        List<String> expressions = expressions(new ObjectMapper().readTree(DASHBOARD.toFile()));
        Set<String> queried = new TreeSet<>();
        expressions.forEach(expr -> queried.addAll(metricNames(expr)));

        assertThat(expressions).hasSizeGreaterThanOrEqualTo(10);
        assertThat(queried).isNotEmpty().isSubsetOf(SluiceMetrics.prometheusNames());
    }

    @Test
    void metricNamesAreTheIdentifiersThatAreNeitherFunctionsNorLabels() {
        assertThat(metricNames("sum by (model) (rate(a_total{reason=\"x{y}\"}[$__rate_interval])) / ignoring(model) "
                + "group_left scalar(sum(b:rate5m)) > bool 0 unless histogram_quantile(0.9, c_bucket offset 5m)"))
                .containsExactlyInAnyOrder("a_total", "b:rate5m", "c_bucket");
    }

    /** Every panel target's PromQL, rows' nested panels included. */
    private static List<String> expressions(JsonNode dashboard) {
        List<String> expressions = new ArrayList<>();
        dashboard.findValues("targets").forEach(targets -> targets.forEach(target -> {
            assertThat(target.hasNonNull("expr")).as("target %s has a PromQL expression", target).isTrue();
            expressions.add(target.get("expr").asText());
        }));
        return expressions;
    }

    /** The metric names a PromQL expression selects. */
    static Set<String> metricNames(String expr) {
        String bare = STRINGS.matcher(expr).replaceAll(" ");
        bare = SELECTORS.matcher(LABEL_LISTS.matcher(bare).replaceAll(" ")).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            boolean function = identifier.group(1) != null;
            String name = identifier.group().replaceAll("[\\s(]", "");
            boolean number = identifier.start() > 0 && Character.isDigit(bare.charAt(identifier.start() - 1));
            if (!function && !number && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }
}
