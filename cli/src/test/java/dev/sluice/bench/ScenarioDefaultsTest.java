package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Tests for {@link ScenarioDefaults}: a scenario run without arguments measures what the docs' figures measure. */
class ScenarioDefaultsTest {

    private static final Path RESULTS = Path.of("..", "docs", "bench-results");

    @Test
    void eachScenariosDocumentedFiguresWereMeasuredAtItsDefaults() {
        Map<String, JsonNode> newest = BenchReport.newest(RESULTS);
        List<String> scenarios = Arrays.stream(BenchCommand.SCENARIOS.split(",| or ")).map(String::strip)
                .filter(name -> !name.isEmpty()).toList();

        assertThat(scenarios).contains("saturation", "batch-upload", "profile");
        for (String scenario : scenarios) {
            assertThat(newest).as("a documented result of %s", scenario).containsKey(scenario);
            List<String> command = List.of(newest.get(scenario).at("/provenance/command").asText().split(" +"));
            ScenarioDefaults defaults = ScenarioDefaults.of(scenario);
            option(command, "--prompts").ifPresent(prompts -> assertThat(Integer.parseInt(prompts))
                    .as("%s's prompts", scenario).isEqualTo(defaults.prompts()));
            option(command, "--time-scale").ifPresent(scale -> assertThat(Double.parseDouble(scale))
                    .as("%s's time scale", scenario).isEqualTo(defaults.timeScale()));
        }
    }

    @Test
    void theCommandLineTakesTheScenariosDefaultsForWhatItLeavesOut() {
        BenchCommand bare = parsed("saturation");
        BenchCommand sized = parsed("prefix", "--prompts", "64");

        assertThat(bare.prompts).isEqualTo(6_000);
        assertThat(bare.timeScale).isEqualTo(1.0);
        assertThat(sized.prompts).isEqualTo(64);
        assertThat(sized.timeScale).isEqualTo(0.25);
    }

    @Test
    void anUnknownScenarioIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> ScenarioDefaults.of("throughput"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown scenario 'throughput': use " + BenchCommand.SCENARIOS);
    }

    private static BenchCommand parsed(String... args) {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs(args);
        command.applyScenarioDefaults();
        return command;
    }

    private static Optional<String> option(List<String> command, String name) {
        int at = command.indexOf(name);
        return at < 0 || at + 1 >= command.size() ? Optional.empty()
                : Optional.of(command.get(at + 1));
    }
}
