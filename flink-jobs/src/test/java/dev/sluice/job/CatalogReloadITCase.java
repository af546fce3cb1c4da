package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.routing.CatalogPublisher;
import dev.sluice.demo.OutputCollector;
import dev.sluice.demo.SamplePrompts.SampleRecord;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.Completion;
import dev.sluice.schema.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A catalog published to the catalog topic takes over routing mid-stream, without a restart or a lost request. */
class CatalogReloadITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static PipelineTestEnv env;

    @BeforeAll
    static void start() {
        env = new PipelineTestEnv("reload");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void summariesMoveToTheModelTheNewCatalogRecommends() throws Exception {
        JobClient job = env.startPipeline();
        Set<String> ids = new HashSet<>();
        try (OutputCollector output = new OutputCollector(env.config.kafka())) {
            env.publish(summaries("before", 20, ids));
            assertThat(output.collectUntil(() -> output.completions().size() >= 20, Duration.ofSeconds(60))).isTrue();

            // The new catalog no longer recommends text-model for summaries: the larger chat-model wins them.
            Catalog reloaded = Catalog.parse(PipelineTestEnv.CATALOG.replace("use-cases: [summarize, translate, code]",
                    "use-cases: [translate, code]"), "reloaded").withEndpoints(env.emulators.endpoints());
            CatalogPublisher.publish(env.config.kafka(), reloaded);
            int probes = 0;
            while (probes < 60 && !routedTo(output, "probe-", "chat-model")) {
                env.publish(summaries("probe-" + probes++, 1, ids));
                output.collectUntil(() -> false, Duration.ofMillis(500));
            }
            env.publish(summaries("after", 20, ids));
            boolean done = output.collectUntil(() -> output.completions().size() >= ids.size(), Duration.ofSeconds(60));
            output.drain(Duration.ofSeconds(2));
            job.cancel().get();

            assertThat(done).isTrue();
            assertThat(output.completions()).extracting(Completion::getRequestId)
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
            assertThat(output.completions()).filteredOn(c -> c.getRequestId().startsWith("before"))
                    .extracting(Completion::getModelId).containsOnly("text-model");
            assertThat(output.completions()).filteredOn(c -> c.getRequestId().startsWith("after"))
                    .extracting(Completion::getModelId).containsOnly("chat-model");
            assertThat(output.rejects()).isEmpty();
        }
    }

    private static boolean routedTo(OutputCollector output, String prefix, String model) {
        return output.completions().stream()
                .anyMatch(c -> c.getRequestId().startsWith(prefix) && c.getModelId().equals(model));
    }

    private static List<SampleRecord> summaries(String name, int count, Set<String> ids) {
        List<SampleRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = name + "-" + i;
            ids.add(id);
            records.add(PipelineTestEnv.avro(PipelineTestEnv.request(id, Task.SUMMARIZE, "Summarize: report " + i)));
        }
        return records;
    }
}
