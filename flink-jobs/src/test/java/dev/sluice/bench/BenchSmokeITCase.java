package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.serde.JsonAvro;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Each benchmark at a tiny size, to keep it working; the numbers themselves are not asserted. */
class BenchSmokeITCase {

    @Test
    void saturationPrintsItsRatioLineLastAndWritesJson(@TempDir Path results) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new BenchCommand()).execute("saturation", "--prompts", "60", "--time-scale", "20",
                    "--results", results.toString());
        } finally {
            System.setOut(stdout);
        }

        assertThat(code).isZero();
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(lines.size() - 2)).startsWith("ratio: sluice");
        Path file;
        try (Stream<Path> files = Files.list(results)) {
            file = files.findFirst().orElseThrow();
        }
        JsonNode json = JsonAvro.mapper().readTree(file.toFile());
        assertThat(json.path("scenario").asText()).isEqualTo("saturation");
        assertThat(json.path("runs")).hasSize(2);
        assertThat(json.path("sluice_ratio").asDouble()).isPositive();
    }
}
