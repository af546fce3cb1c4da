package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.serde.JsonAvro;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link BenchReport}, and the check that the docs' figures are the results they name: a block edited by
 * hand, or a result added without rendering, fails the build.
 */
class BenchReportTest {

    private static final Path DOCS = Path.of("..", "docs");
    private static final Path RESULTS = DOCS.resolve("bench-results");

    @Test
    void everyBlockInTheDocsIsTheNewestResultOfItsScenarioAndEveryResultHasOne() throws Exception {
        Map<String, JsonNode> results = BenchReport.newest(RESULTS);
        List<String> blocks = new ArrayList<>();

        for (Path page : BenchReport.pages(DOCS)) {
            String text = Files.readString(page);
            blocks.addAll(BenchReport.scenarios(text));
            assertThat(BenchReport.update(text, results)).as("%s: run ./sluice bench report", page).isEqualTo(text);
        }

        assertThat(blocks).isNotEmpty().doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(results.keySet());
    }

    @Test
    void theReadmesTableOfTargetsIsTheNewestResults() throws Exception {
        Map<String, JsonNode> results = BenchReport.newest(RESULTS);
        String readme = Files.readString(Path.of("..", "README.md"));

        assertThat(BenchTargets.hasBlock(readme)).isTrue();
        assertThat(BenchTargets.update(readme, results)).as("README.md: run ./sluice bench report").isEqualTo(readme);
        // Every target is measured by a result kept here.
        BenchTargets.TARGETS.forEach(target -> assertThat(target.measured(results)).as(target.what()).isNotNull());
    }

    @Test
    void aTargetSaysWhetherItsFigureMeetsItAndWhereItIsShownOutOfReach() throws Exception {
        Map<String, JsonNode> results = Map.of(
                "fairness", JsonAvro.mapper().readTree("""
                        {"scenario": "fairness", "ratio": 1.7, "share_error": 0.03,
                         "provenance": {"commit": "abc1234"}}"""),
                "prefix", JsonAvro.mapper().readTree("""
                        {"scenario": "prefix", "tokens_per_second_on": 100, "tokens_per_second_off": 100,
                         "provenance": {"commit": "def5678"}}"""));

        String table = BenchTargets.render(results);

        assertThat(table).contains("| 1.7 | ≤ 1.5 | no: out of reach, [the arithmetic](docs/benchmarks.md#fairness) "
                + "| abc1234 |");
        assertThat(table).contains("| 0.03 | ≤ 0.1 | yes | abc1234 |");
        // Throughput with grouping over without: 1, under 1.1, and nothing shows that out of reach.
        assertThat(table).contains("| 1 | ≥ 1.1 | **no** | def5678 |");
        assertThat(table).contains("| none | ≥ 0.95 | **no** |  |");
    }

    @Test
    void aBlockShowsItsResultsProvenanceAndEveryFigureAndReplacesWhatWasThere() throws Exception {
        JsonNode result = JsonAvro.mapper().readTree("""
                {"scenario": "fairness", "ratio": 1.23456, "light_prompts": 1200, "profile": "p",
                 "servers": [{"server": "triton", "ratio": 2.5}],
                 "provenance": {"commit": "abc1234", "command": "./sluice bench fairness --prompts 2000",
                   "cpu_share": 0.91, "cpu_bound": true, "load_average_before": 0.5, "load_average_after": 2.25,
                   "machine": {"cores": 2, "cpu": "Test CPU", "memory_mb": 24000, "java": "Java 17"}},
                 "finished_at": "2026-12-06T12:00:00Z"}
                """);
        String page = "intro\n<!-- bench-report fairness -->\nstale 9.99\n<!-- /bench-report -->\nafter\n";

        String updated = BenchReport.update(page, Map.of("fairness", result));

        assertThat(updated).doesNotContain("stale").startsWith("intro\n<!-- bench-report fairness -->\n")
                .endsWith("<!-- /bench-report -->\nafter\n")
                .contains("`./sluice bench fairness --prompts 2000` at abc1234, finished 2026-12-06T12:00:00Z, on 2 "
                        + "cores (Test CPU), 24,000 MB, Java 17; load average 0.50 before and 2.25 after")
                .contains("91 % of the machine's CPU time: this machine's CPUs, not the modelled GPU, set the pace")
                .contains("| `ratio` | 1.235 |", "| `light_prompts` | 1,200 |", "| `profile` | p |",
                        "`servers`:\n\n| `server` | `ratio` |\n|---|---|\n| triton | 2.5 |\n")
                .doesNotContain("| `finished_at`", "| `provenance");
        assertThat(BenchReport.update(updated, Map.of("fairness", result))).isEqualTo(updated);
        assertThatThrownBy(() -> BenchReport.update(page, Map.of())).hasMessageContaining("fairness");
    }

    @Test
    void listsOfLikeObjectsAreRowsAndMapsWithTheSameKeysAreColumns() throws Exception {
        JsonNode result = JsonAvro.mapper().readTree("""
                {"scenario": "chaos", "variant": "x", "prompts": 600,
                 "reports": [{"scenario": "none", "lost": 0, "models": {"a": 5, "b": 2}},
                             {"scenario": "task-failure", "lost": 1, "recovery": 2.5}],
                 "poison": {"sent": {"tombstone": 15, "deep-json": 75}, "answered": {"tombstone": 14, "deep-json": 75},
                            "p99": 1.3},
                 "finished_at": "2026-12-06T12:00:00Z"}
                """);

        String rendered = BenchReport.render(result);

        assertThat(BenchReport.key(result)).isEqualTo("chaos-x");
        assertThat(rendered).contains("| `prompts` | 600 |\n| `poison.p99` | 1.3 |\n")
                .contains("`reports`:\n\n| `scenario` | `lost` | `models` | `recovery` |\n|---|---|---|---|\n"
                        + "| none | 0 | a 5, b 2 |  |\n| task-failure | 1 |  | 2.5 |\n")
                .contains("`poison`:\n\n| `key` | `sent` | `answered` |\n|---|---|---|\n| tombstone | 15 | 14 |\n"
                        + "| deep-json | 75 | 75 |\n")
                .doesNotContain("`variant`", "poison.sent");
    }
}
