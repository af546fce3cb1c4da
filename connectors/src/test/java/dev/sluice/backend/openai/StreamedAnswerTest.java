package dev.sluice.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link StreamedAnswer}: the event streams the six servers send, read alike. */
class StreamedAnswerTest {

    private static final GenerationRequest REQUEST = new GenerationRequest("r-1", "Say hello", 16, null, null, null,
            List.of(), List.of());

    @Test
    void chatDeltasAddUpAndTheLastChunksUsageGivesTheCounts() {
        GenerationResult result = read(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}],\"usage\":null}",
                "",
                ": ping",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"length\"}]}",
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}",
                "data: [DONE]");

        assertThat(result.text()).isEqualTo("Hello");
        assertThat(result.finishReason()).isEqualTo("length");
        assertThat(result.promptTokens()).isEqualTo(7);
        assertThat(result.completionTokens()).isEqualTo(2);
        assertThat(result.cachedTokens()).isEqualTo(4);
        assertThat(result.firstTokenAtNanos()).isPositive();
    }

    /** TGI ends on a stop string with stop_sequence; Ollama's usage has no details; completions carry text. */
    @Test
    void serversDifferencesAreTolerated() {
        GenerationResult tgi = read("data:{\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop_sequence\"}]}",
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}", "data: [DONE]");
        GenerationResult completions = read("data: {\"choices\":[{\"text\":\"a\",\"finish_reason\":null}]}",
                "data: {\"choices\":[{\"text\":\"b\",\"finish_reason\":\"stop\"}]}", "data: [DONE]");

        assertThat(tgi.finishReason()).isEqualTo("stop");
        assertThat(tgi.cachedTokens()).isZero();
        assertThat(tgi.promptTokens()).isEqualTo(3);
        assertThat(completions.text()).isEqualTo("ab");
        // No usage at all: a token a chunk, the prompt estimated; never zeros that read as free.
        assertThat(completions.completionTokens()).isEqualTo(2);
        assertThat(completions.promptTokens()).isPositive();
    }

    @Test
    void aStreamThatBreaksOffOrReportsAnErrorFailsRetryably() {
        StreamedAnswer cut = new StreamedAnswer(REQUEST, "h:1");
        cut.accept("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}");
        StreamedAnswer failing = new StreamedAnswer(REQUEST, "h:1");

        assertThatThrownBy(cut::result).isInstanceOfSatisfying(BackendException.class,
                e -> assertThat(e.isRetryable()).isTrue()).hasMessageContaining("ended before finishing");
        assertThatThrownBy(() -> failing.accept("data: {\"error\":{\"message\":\"engine died\"}}"))
                .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessageContaining("engine died");
        assertThatThrownBy(() -> failing.accept("data: {not json")).isInstanceOfSatisfying(BackendException.class,
                e -> assertThat(e.isRetryable()).isFalse());
    }

    private static GenerationResult read(String... lines) {
        StreamedAnswer answer = new StreamedAnswer(REQUEST, "h:1");
        for (String line : lines) {
            answer.accept(line);
        }
        return answer.result();
    }
}
