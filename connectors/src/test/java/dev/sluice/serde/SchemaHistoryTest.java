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
import dev.sluice.schema.UsageSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The build's guard on schema changes: every record schema is the last version in its history, and every version
 * can read records written with every other (backward and forward compatible, by Avro's rules).
 */
class SchemaHistoryTest {

    /**
     * The one break published before the history existed: the first {@code Reject}'s reason enum had no default, so
     * a reader with it cannot read a reason added since. Only that incompatibility, of that reader, is excused.
     */
    private static final String REJECT_V1_REASONS = "Reject v1: MISSING_ENUM_SYMBOLS at /fields/2/type/symbols";

    /**
     * Every published version's fingerprint, oldest first: a published version is never edited or removed, since
     * producers and consumers out there were built against it. Publishing a new one adds its fingerprint here.
     */
    private static final Map<String, List<Long>> PUBLISHED = Map.ofEntries(
            Map.entry("Completion", List.of(0xcec833cde35c2cffL, 0x5d750c4a170b46ebL, 0xc8fcfea9878b6c15L,
                    0xb27734f0126e410dL, 0x91048cdcca72e666L)),
            Map.entry("DeadLetter", List.of(0x8cbee23f0bd76fb0L)),
            Map.entry("InferenceMetric", List.of(0x5ed763d6d307c2d6L, 0xc3165e3f0e19eb2aL, 0x957dc0a7469b22e0L)),
            Map.entry("MetricsSummary", List.of(0x20059b442e108728L, 0xff9009d91ee55e33L)),
            Map.entry("PromptBatch", List.of(0xb4391c608ea6db45L, 0xf55042774ee3419dL, 0x5288fb79ca070161L,
                    0x58316374d954b9a8L)),
            Map.entry("PromptRequest", List.of(0xedc25c8e94f68baeL, 0x65b5eeeb97ee1136L, 0x71bbe2b0e208b855L,
                    0xc18e042ee24f9589L)),
            Map.entry("Reject", List.of(0x5744175d8709a842L, 0x30a001e8e910da7fL, 0x0c67db4e1c884f73L,
                    0x2508e6026634355cL, 0x88df4d8fa836d5acL, 0x46f394c03f057321L)),
            Map.entry("RunCommand", List.of(0x954bb28d0f82623bL, 0xb779e775810659d7L)),
            Map.entry("RunState", List.of(0x9d8dae05e60f58daL, 0xb374839473714cf3L, 0xfe6dcee36c9c19e9L)),
            Map.entry("UsageSummary", List.of(0x97e5ad9d51e476e1L)));

    static Stream<Schema> records() {
        return Stream.of(PromptRequest.getClassSchema(), PromptBatch.getClassSchema(), Completion.getClassSchema(),
                InferenceMetric.getClassSchema(), MetricsSummary.getClassSchema(), Reject.getClassSchema(),
                RunCommand.getClassSchema(), RunState.getClassSchema(), DeadLetter.getClassSchema(),
                UsageSummary.getClassSchema());
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
    void publishedVersionsNeverChange(Schema current) {
        assertThat(SchemaHistory.versions(current)).extracting(SchemaNormalization::parsingFingerprint64)
                .as("%s's published versions", current.getName()).containsExactlyElementsOf(PUBLISHED.get(
                        current.getName()));
    }

    @ParameterizedTest
    @MethodSource("records")
    void everyVersionReadsEveryOther(Schema current) {
        List<Schema> versions = SchemaHistory.versions(current);
        List<String> breaks = new ArrayList<>();
        for (int reader = 1; reader <= versions.size(); reader++) {
            for (int writer = 1; writer <= versions.size(); writer++) {
                String readerName = current.getName() + " v" + reader;
                String writerName = " reading v" + writer;
                SchemaCompatibility.checkReaderWriterCompatibility(versions.get(reader - 1), versions.get(writer - 1))
                        .getResult().getIncompatibilities().stream()
                        .map(problem -> readerName + ": " + problem.getType() + " at " + problem.getLocation())
                        .filter(problem -> !problem.equals(REJECT_V1_REASONS))
                        .forEach(problem -> breaks.add(problem + writerName));
            }
        }
        assertThat(breaks).as("schema changes must be backward and forward compatible: add fields with defaults, "
                + "enum symbols only to an enum with a default").isEmpty();
    }

    /** The excused break is still one: were it gone, the excuse could hide a new break of the same shape. */
    @Test
    void theExcusedBreakIsStillABreak() {
        List<Schema> rejects = SchemaHistory.versions(Reject.getClassSchema());
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(rejects.get(0), rejects.get(rejects.size() - 1))
                .getResult().getIncompatibilities()).extracting(problem -> "Reject v1: " + problem.getType() + " at "
                        + problem.getLocation()).containsExactly(REJECT_V1_REASONS);
    }
}
