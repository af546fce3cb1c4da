package dev.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The job jar a Flink cluster runs holds only what the cluster needs: no emulator, benchmarks, chaos harness, demo,
 * command line, broker or Flink runtime, which the command line's jar carries. Both jars are built by the time
 * integration tests run ({@code package} comes before them in the reactor).
 */
class JobJarITCase {

    private static final Path JOB_JAR = Path.of("..", "flink-jobs", "target", "sluice-job.jar");
    private static final Path CLI_JAR = Path.of("target", "sluice.jar");

    /** Packages a cluster never runs, or has in its own {@code lib/}; Kafka's broker with its Raft and metadata. */
    private static final List<String> LEFT_OUT = List.of("dev/sluice/emulator/", "dev/sluice/bench/",
            "dev/sluice/chaos/", "dev/sluice/demo/", "dev/sluice/cli/", "dev/sluice/serve/", "dev/sluice/embedded/",
            "kafka/server/", "org/apache/kafka/raft/", "org/apache/kafka/metadata/", "org/apache/flink/runtime/", "org/apache/flink/streaming/api/",
            "org/eclipse/jetty/", "software/amazon/awssdk/", "org/apache/logging/log4j/", "org/slf4j/");

    @Test
    void theJobJarHoldsTheJobsAndNoneOfWhatTheCommandLineAddsAndIsUnderHalfItsSize() throws Exception {
        try (ZipFile job = new ZipFile(JOB_JAR.toFile()); ZipFile cli = new ZipFile(CLI_JAR.toFile())) {
            List<String> entries = job.stream().map(ZipEntry::getName).toList();

            assertThat(entries).contains("dev/sluice/launch/SluiceJobs.class", "dev/sluice/job/InferencePipeline.class",
                    "dev/sluice/gateway/Gateway.class");
            assertThat(entries).filteredOn(name -> LEFT_OUT.stream().anyMatch(name::startsWith))
                    .as("what the cluster does not need").isEmpty();
            assertThat(cli.stream().map(ZipEntry::getName)).as("the command line's jar").contains(
                    "dev/sluice/emulator/EmulatorServer.class", "dev/sluice/bench/BenchCommand.class");
        }
        assertThat(Files.size(JOB_JAR)).isLessThan(Files.size(CLI_JAR) / 2);
    }
}
