package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Tests for {@link TopicsAclsCommand}. */
class TopicsAclsCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsTheKafkaAclsLinesOfEachNamedPrincipal() throws Exception {
        Path config = config("topic");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new SluiceCli()).execute("topics", "acls", "--config", config.toString(),
                    "--tenant", "acme", "--principal", "User:acme", "--tenant", "globex", "--principal",
                    "User:globex", "--operator", "User:ops");
        } finally {
            System.setOut(stdout);
        }

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .contains("kafka-acls.sh --bootstrap-server localhost:9092 --command-config admin.properties --add "
                        + "--allow-principal User:globex --operation Write --topic sluice.runs.commands.globex "
                        + "--resource-pattern-type literal")
                .anyMatch(line -> line.contains("User:acme") && line.contains("--topic sluice.completions.acme "))
                .anyMatch(line -> line.contains("User:ops --operation Write --operation Read --topic sluice.catalog "))
                .noneMatch(line -> line.contains("User:sluice"));
    }

    @Test
    void refusesSharedTopics() throws Exception {
        int code = new CommandLine(new SluiceCli()).execute("topics", "acls", "--config", config("record").toString(),
                "--tenant", "acme", "--principal", "User:acme");

        assertThat(code).isEqualTo(2);
    }

    /** The shipped configuration with {@code kafka.tenancy} set. */
    private Path config(String tenancy) throws Exception {
        String shipped = Files.readString(Path.of("../config/sluice.yaml"));
        return Files.writeString(dir.resolve("sluice.yaml"),
                shipped.replaceFirst("(?m)^  tenancy: record", "  tenancy: " + tenancy));
    }
}
