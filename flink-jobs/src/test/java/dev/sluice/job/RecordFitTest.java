package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.MetricsSummary;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RouteExclusion;
import dev.sluice.schema.RouteExplanation;
import dev.sluice.schema.RunState;
import dev.sluice.serde.RecordCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link RecordFit}: every output fits its producer's request size, whatever it holds. */
class RecordFitTest {

    private static final int ONE_MIB = 1 << 20;

    @ParameterizedTest(name = "json: {0}")
    @ValueSource(booleans = {false, true})
    void aRejectWithA600000CharTenantFitsAndKeepsWhatFindsItsRecord(boolean json) {
        Reject reject = Reject.newBuilder().setRequestId("r-1").setTenant("t".repeat(600_000))
                .setReason(RejectReason.INVALID_FIELD).setMessage("m".repeat(900_000))
                .setSourceTopic("sluice.prompts").setSourcePartition(3).setSourceOffset(4711L)
                .setOriginal(ByteBuffer.wrap(new byte[64 * 1024])).setRejectedAt(99).build();
        RecordFit<Reject> fit = fit(Reject.getClassSchema(), json, r -> r.getTenant() + "/" + r.getRequestId());

        RecordFit.Encoded encoded = fit.encode("rejects", reject);

        assertThat(encoded.shrunk()).isTrue();
        assertFits(encoded, ONE_MIB);
        Reject written = decode(Reject.getClassSchema(), encoded);
        assertThat(written.getReason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(written.getRequestId()).isEqualTo("r-1");
        assertThat(written.getSourceTopic()).isEqualTo("sluice.prompts");
        assertThat(written.getSourcePartition()).isEqualTo(3);
        assertThat(written.getSourceOffset()).isEqualTo(4711L);
        assertThat(written.getTenant()).startsWith("ttt").contains("… [truncated ");
        assertThat(written.getMessage()).startsWith("mmm").contains("… [truncated ");
        assertThat(written.getOriginal()).isNull();
        assertThat(new String(encoded.key(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(written.getTenant() + "/r-1");
    }

    @ParameterizedTest(name = "json: {0}")
    @ValueSource(booleans = {false, true})
    void aCompletionWithAHugeTextAndRouteExplanationFitsKeepingItsIdsAndTheTextsHead(boolean json) {
        List<RouteExclusion> excluded = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            excluded.add(new RouteExclusion("model-" + i, "stop string " + "s".repeat(1_000)));
        }
        String text = "answer ".repeat(400_000);
        Completion completion = completion("r-1", text, new RouteExplanation("b".repeat(500_000), excluded));

        RecordFit.Encoded encoded = fit(Completion.getClassSchema(), json, Completion::getRequestId).encode("completions", completion);

        assertThat(encoded.shrunk()).isTrue();
        assertFits(encoded, ONE_MIB);
        Completion written = decode(Completion.getClassSchema(), encoded);
        assertThat(written.getRequestId()).isEqualTo("r-1");
        assertThat(written.getTenant()).isEqualTo("acme");
        assertThat(written.getText()).startsWith("answer answer").contains("… [truncated ");
        assertThat(text).startsWith(written.getText().substring(0, written.getText().indexOf('…')));
        assertThat(written.getRoute().getExcluded()).isNotEmpty().hasSizeLessThan(10_000);
    }

    @ParameterizedTest(name = "json: {0}")
    @ValueSource(booleans = {false, true})
    void aRecordThatFitsIsWrittenAsItIs(boolean json) {
        Completion completion = completion("r-1", "hello", new RouteExplanation("because", List.of()));
        RecordCodec<Completion> codec = new RecordCodec<>(Completion.getClassSchema());

        RecordFit.Encoded encoded = new RecordFit<>((topic, record) -> codec.encode(record, json), Completion::getRequestId, ONE_MIB)
                .encode("completions", completion);

        assertThat(encoded.shrunk()).isFalse();
        assertThat(encoded.value()).isEqualTo(codec.encode(completion, json));
        assertThat(encoded.key()).isEqualTo("r-1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Stream<Arguments> outputs() {
        return Stream.of(Completion.getClassSchema(), InferenceMetric.getClassSchema(), Reject.getClassSchema(),
                RunState.getClassSchema(), MetricsSummary.getClassSchema())
                .flatMap(schema -> Stream.of(Arguments.of(schema.getName(), schema, false),
                        Arguments.of(schema.getName(), schema, true)));
    }

    /**
     * The worst an output can hold: every text 20,000 control characters (six bytes each as JSON escapes), every
     * list and map 100 entries. It still fits the smallest request size a sink accepts, key included.
     */
    @ParameterizedTest(name = "{0}, json: {2}")
    @MethodSource("outputs")
    <T extends SpecificRecordBase> void everyOutputTypeFitsTheSmallestRequestSizeWhateverItHolds(
            String name, Schema schema, boolean json) {
        @SuppressWarnings("unchecked")
        T record = (T) filled(schema, "\u0001".repeat(20_000), 100);
        RecordFit<T> fit = fit(schema, json, r -> r.get(0).toString(), RecordFit.MIN_MAX_REQUEST_SIZE);

        assertFits(fit.encode("outputs", record), RecordFit.MIN_MAX_REQUEST_SIZE);
    }

    @Test
    void theRequestSizeIsTheProducersOrKafkasDefault() {
        Properties producer = new Properties();
        assertThat(RecordFit.maxRequestSize(producer)).isEqualTo(ONE_MIB);

        producer.setProperty("max.request.size", "300000");
        assertThat(RecordFit.maxRequestSize(producer)).isEqualTo(300_000);
    }

    @Test
    void aRequestSizeTooSmallForEveryOutputIsRefusedAtStart() {
        assertThatThrownBy(() -> fit(Reject.getClassSchema(), false, Reject::getRequestId, 4096))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max.request.size");
    }

    private static <T extends SpecificRecordBase> RecordFit<T> fit(Schema schema, boolean json,
            RecordSerializer.KeyOf<T> key) {
        return fit(schema, json, key, ONE_MIB);
    }

    private static <T extends SpecificRecordBase> RecordFit<T> fit(Schema schema, boolean json,
            RecordSerializer.KeyOf<T> key, int maxRequestSize) {
        RecordCodec<T> codec = new RecordCodec<>(schema);
        return new RecordFit<>((topic, record) -> codec.encode(record, json), key, maxRequestSize);
    }

    private static void assertFits(RecordFit.Encoded encoded, int maxRequestSize) {
        int key = encoded.key() == null ? 0 : encoded.key().length;
        assertThat(key + encoded.value().length + RecordFit.HEADROOM_BYTES).isLessThanOrEqualTo(maxRequestSize);
    }

    private static <T extends SpecificRecordBase> T decode(Schema schema, RecordFit.Encoded encoded) {
        return new RecordCodec<T>(schema).decode(encoded.value());
    }

    private static Completion completion(String id, String text, RouteExplanation route) {
        return Completion.newBuilder().setRequestId(id).setTenant("acme").setModelId("m").setBackend("triton")
                .setEndpoint("localhost:1").setText(text).setFinishReason("stop").setPromptTokens(1)
                .setCompletionTokens(1).setTimings(new CompletionTimings(0L, 0L, 0L, 0L)).setRoute(route).build();
    }

    /** A value of {@code schema} with every text {@code text}, every list and map {@code entries} long. */
    private static Object filled(Schema schema, String text, int entries) {
        return switch (schema.getType()) {
            case RECORD -> {
                IndexedRecord record = (IndexedRecord) SpecificData.get().newRecord(null, schema);
                for (Schema.Field field : schema.getFields()) {
                    record.put(field.pos(), filled(field.schema(), text, entries));
                }
                yield record;
            }
            case UNION -> filled(schema.getTypes().get(schema.getTypes().get(0).getType() == Schema.Type.NULL
                    ? 1 : 0), text, entries);
            case STRING -> text;
            case BYTES -> ByteBuffer.wrap(new byte[text.length()]);
            case ARRAY -> new ArrayList<>(Collections.nCopies(entries, filled(schema.getElementType(), text, entries)));
            case MAP -> {
                Map<String, Object> map = new HashMap<>();
                for (int i = 0; i < entries; i++) {
                    map.put(i + text.substring(1), filled(schema.getValueType(), text, entries));
                }
                yield map;
            }
            case ENUM -> SpecificData.get().createEnum(schema.getEnumSymbols().get(0), schema);
            case INT -> 0;
            case LONG -> 0L;
            case FLOAT -> 0f;
            case DOUBLE -> 0.0;
            case BOOLEAN -> false;
            default -> throw new IllegalArgumentException("no output schema has a " + schema.getType());
        };
    }
}
