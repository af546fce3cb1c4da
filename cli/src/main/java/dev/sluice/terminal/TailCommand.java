package dev.sluice.terminal;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SluiceConfig;
import dev.sluice.serde.JsonAvro;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecordBase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice tail completions|metrics|summary|rejects}: a topic's records as JSON lines, as they commit. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the committed records of a Sluice topic as JSON lines, decoded from Avro or JSON.")
public final class TailCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "completions, metrics, summary or rejects")
    String feed;

    @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:SLUICE_HOME:-.}/config/sluice.yaml")
    Path config;

    @Option(names = "--tenant", description = "whose records to follow; needed with tenancy: topic, where each "
            + "tenant has its own topics")
    String tenant;

    @Option(names = "--from-beginning", description = "start at the first record, not at the next one")
    boolean fromBeginning;

    @Option(names = "--max", defaultValue = "0", description = "stop after this many records; 0 follows forever")
    int max;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Feed chosen = Feed.named(feed);
        KafkaSettings kafka = SluiceConfig.load(config).kafka();
        PrintWriter out = spec.commandLine().getOut();
        int printed = 0;
        try (TopicReader<SpecificRecordBase> reader = new TopicReader<>(kafka, chosen.topic(kafka.topics(), tenant),
                chosen.schema(), fromBeginning)) {
            while (max == 0 || printed < max) {
                printed += reader.poll(Duration.ofMillis(500), record -> {
                    out.println(JsonAvro.toJson(record));
                    out.flush();
                });
            }
        }
        return 0;
    }
}
