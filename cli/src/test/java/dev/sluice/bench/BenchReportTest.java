package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.serde.JsonAvro;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link BenchReport}, and the check that the benchmarks page's figures are the results it names: a block
 * edited by hand, or a result added without rendering, fails the build.
 */
class BenchReportTest {

    private static final Path PAGE = Path.of("..", "docs", "benchmarks.md");
    private static final Path RESULTS = Path.of("..", "docs", "bench-results");

    @Test
    void everyBlockOfTheBenchmarksPageIsTheNewestResultOfItsScenario() throws Exception {
        String page = Files.readString(PAGE);
        Map<String, JsonNode> results = BenchReport.newest(RESULTS);

        assertThat(BenchReport.scenarios(page)).isNotEmpty().doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(results.keySet());
        assertThat(BenchReport.update(page, results)).as("run ./sluice bench report").isEqualTo(page);
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
                        "| `servers.triton.ratio` | 2.5 |")
                .doesNotContain("| `finished_at`", "| `provenance");
        assertThat(BenchReport.update(updated, Map.of("fairness", result))).isEqualTo(updated);
        assertThatThrownBy(() -> BenchReport.update(page, Map.of())).hasMessageContaining("fairness");
    }
}
