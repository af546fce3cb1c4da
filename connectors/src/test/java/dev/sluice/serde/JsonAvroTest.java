package dev.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.RouteExclusion;
import dev.sluice.schema.RouteExplanation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link JsonAvro} and {@link RecordCodec}. */
class JsonAvroTest {

    private final RecordCodec<Completion> codec = new RecordCodec<>(Completion.getClassSchema());

    @Test
    void bothFormatsRoundTripTheSameRecord() {
        Completion completion = Completion.newBuilder()
                .setRequestId("r1").setTenant("t").setModelId("m").setBackend("triton").setEndpoint("h:1")
                .setText("日本語のテキスト").setFinishReason("stop").setPromptTokens(3).setCompletionTokens(4)
                .setTimings(new CompletionTimings(1L, 2L, 3L, 4L))
                .setRoute(new RouteExplanation("because", List.of(new RouteExclusion("x", "licence"))))
                .build();

        assertThat(codec.decode(codec.encode(completion, false))).isEqualTo(completion);
        assertThat(codec.decode(codec.encode(completion, true))).isEqualTo(completion);
    }

    @Test
    void jsonUsesPlainValuesForUnions() {
        Completion completion = Completion.newBuilder()
                .setRequestId("r1").setRunId("run-7").setTenant("t").setModelId("m").setBackend("triton")
                .setEndpoint("h:1").setText("x").setFinishReason("length").setPromptTokens(1).setCompletionTokens(1)
                .setTimings(new CompletionTimings(1L, 2L, 3L, 4L))
                .setRoute(new RouteExplanation("because", List.of()))
                .build();

        String json = JsonAvro.toJson(completion).toString();

        assertThat(json).contains("\"run_id\":\"run-7\"").contains("\"item_index\":null");
    }
}
