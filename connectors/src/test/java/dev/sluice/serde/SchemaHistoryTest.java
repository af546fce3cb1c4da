package dev.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.Completion;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The build's guard on schema changes: every record schema is the last version in its history, and every version
 * can read records written with every other (backward and forward compatible, by Avro's rules).
 */
class SchemaHistoryTest {

    /**
     * Breaks published before the history existed, kept so that they stay the only ones: the first {@code Reject}
     * had a reason enum without a default, so a reader with it cannot read a reason added later.
     */
    private static final Set<String> PUBLISHED_BREAKS = Set.of("Reject v1 reading v2", "Reject v1 reading v3",
            "Reject v1 reading v4");

    static Stream<Schema> records() {
        return Stream.of(PromptRequest.getClassSchema(), PromptBatch.getClassSchema(), Completion.getClassSchema(),
                InferenceMetric.getClassSchema(), MetricsSummary.getClassSchema(), Reject.getClassSchema(),
                RunCommand.getClassSchema(), RunState.getClassSchema(), DeadLetter.getClassSchema());
    }

    @ParameterizedTest
    @MethodSource("records")
    void theCurrentSchemaIsTheLastPublishedVersion(Schema current) {
        List<Schema> versions = SchemaHistory.versions(current);

        assertThat(versions).as("schemas/src/main/history/%s/", current.getName()).isNotEmpty();
        Schema last = versions.get(versions.size() - 1);
        assertThat(SchemaNormalization.parsingFingerprint64(last))
                .as("%s changed: add it to the history as schemas/src/main/history/%s/v%d.avsc:%n%s",
                        current.getName(), current.getName(), versions.size() + 1, current.toString(true))
                .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
        assertThat(last).as("%s's defaults or docs changed since v%d: publish it as v%d", current.getName(),
                versions.size(), versions.size() + 1).isEqualTo(withoutJavaStringType(current));
    }

    /** The generated classes' schemas carry the code generator's string type, which is no part of the schema. */
    private static Schema withoutJavaStringType(Schema generated) {
        return new Schema.Parser().parse(generated.toString().replace(",\"avro.java.string\":\"String\"", ""));
    }

    @ParameterizedTest
    @MethodSource("records")
    void everyVersionReadsEveryOther(Schema current) {
        List<Schema> versions = SchemaHistory.versions(current);
        List<String> breaks = new ArrayList<>();
        for (int reader = 1; reader <= versions.size(); reader++) {
            for (int writer = 1; writer <= versions.size(); writer++) {
                SchemaCompatibility.SchemaPairCompatibility pair = SchemaCompatibility.checkReaderWriterCompatibility(
                        versions.get(reader - 1), versions.get(writer - 1));
                String name = current.getName() + " v" + reader + " reading v" + writer;
                if (pair.getType() != SchemaCompatibilityType.COMPATIBLE && !PUBLISHED_BREAKS.contains(name)) {
                    breaks.add(name + ": " + pair.getResult().getIncompatibilities());
                }
            }
        }
        assertThat(breaks).as("schema changes must be backward and forward compatible: add fields with defaults, "
                + "enum symbols only to an enum with a default").isEmpty();
    }

    /** A listed break that Avro no longer finds would hide a new one of the same name. */
    @ParameterizedTest
    @MethodSource("records")
    void thePublishedBreaksAreStillBreaks(Schema current) {
        List<Schema> versions = SchemaHistory.versions(current);
        PUBLISHED_BREAKS.stream().filter(name -> name.startsWith(current.getName() + " ")).forEach(name -> {
            String[] parts = name.split(" ");
            Schema reader = versions.get(Integer.parseInt(parts[1].substring(1)) - 1);
            Schema writer = versions.get(Integer.parseInt(parts[3].substring(1)) - 1);
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()).as(name)
                    .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        });
    }
}
