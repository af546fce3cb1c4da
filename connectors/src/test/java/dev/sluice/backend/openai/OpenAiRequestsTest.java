package dev.sluice.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.OutputConstraint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link OpenAiRequests} and the forms {@link OpenAiServer} gives a constraint. */
class OpenAiRequestsTest {

    private static final OutputConstraint SCHEMA = new OutputConstraint(OutputConstraint.Kind.JSON_SCHEMA,
            "{\"type\": \"object\", \"required\": [\"a\"]}");

    @Test
    void aConversationIsAStreamedChatCompletionWithUsage() {
        GenerationRequest chat = new GenerationRequest("r", "user: hi\nassistant:", 32, 0.5f, 0.9f, 7L,
                List.of("###"), List.of(new ChatTurn("system", "be brief"), new ChatTurn("user", "hi")));

        JsonNode body = OpenAiRequests.body(chat, "llama", options(OpenAiServer.VLLM, false));

        assertThat(OpenAiRequests.path(chat)).isEqualTo("/v1/chat/completions");
        assertThat(body.path("model").asText()).isEqualTo("llama");
        assertThat(body.path("messages").path(1).path("content").asText()).isEqualTo("hi");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(32);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.path("seed").asLong()).isEqualTo(7);
        assertThat(body.path("stop").path(0).asText()).isEqualTo("###");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(body.has("n")).isFalse();
        assertThat(body.has("response_format")).isFalse();
    }

    @Test
    void aPlainPromptIsATextCompletion() {
        GenerationRequest prompt = new GenerationRequest("r", "Once upon", 8, null, null, null, List.of(), List.of());

        assertThat(OpenAiRequests.path(prompt)).isEqualTo("/v1/completions");
        assertThat(OpenAiRequests.body(prompt, "m", options(OpenAiServer.OPENAI, false)).path("prompt").asText()).isEqualTo("Once upon");
    }

    @Test
    void eachServerGetsTheSchemaInItsOwnForm() {
        assertThat(format(OpenAiServer.VLLM).path("json_schema").path("schema").path("required").path(0).asText())
                .isEqualTo("a");
        assertThat(format(OpenAiServer.VLLM).path("type").asText()).isEqualTo("json_schema");
        assertThat(format(OpenAiServer.LLAMA_CPP).path("schema").path("type").asText()).isEqualTo("object");
        assertThat(format(OpenAiServer.TGI).path("type").asText()).isEqualTo("json");
        assertThat(format(OpenAiServer.TGI).path("value").path("type").asText()).isEqualTo("object");
    }

    @Test
    void whatEachServerHonours() {
        assertThat(OpenAiServer.OLLAMA.honours(OutputConstraint.Kind.JSON_SCHEMA, false)).isTrue();
        assertThat(OpenAiServer.TRTLLM_SERVE.honours(OutputConstraint.Kind.JSON_SCHEMA, false)).isFalse();
        assertThat(OpenAiServer.TRTLLM_SERVE.honours(OutputConstraint.Kind.JSON_SCHEMA, true)).isTrue();
        assertThat(OpenAiServer.TGI.honours(OutputConstraint.Kind.REGEX, false)).isTrue();
        assertThat(OpenAiServer.VLLM.honours(OutputConstraint.Kind.REGEX, false)).isFalse();
        assertThat(OpenAiServer.SGLANG.honours(OutputConstraint.Kind.GRAMMAR, false)).isFalse();
        assertThat(OpenAiServer.parse("llama-cpp")).isEqualTo(OpenAiServer.LLAMA_CPP);
        assertThat(OpenAiServer.TRTLLM_SERVE.configName()).isEqualTo("trtllm-serve");
    }

    private static JsonNode format(OpenAiServer server) {
        GenerationRequest request = new GenerationRequest("r", "p", 8, null, null, null, List.of(), List.of())
                .withConstraint(SCHEMA);
        return OpenAiRequests.body(request, "m", options(server, false)).path("response_format");
    }

    /** vLLM sorts lower first, SGLang higher first; neither is sent a priority unless it schedules by one. */
    @Test
    void interactiveWorkGoesFirstOnServersThatScheduleByPriority() {
        GenerationRequest bulk = new GenerationRequest("r", "p", 8, null, null, null, List.of(), List.of());
        GenerationRequest interactive = bulk.withInteractive(true);

        assertThat(OpenAiRequests.body(interactive, "m", options(OpenAiServer.VLLM, true)).path("priority").asInt())
                .isLessThan(OpenAiRequests.body(bulk, "m", options(OpenAiServer.VLLM, true)).path("priority").asInt());
        assertThat(OpenAiRequests.body(interactive, "m", options(OpenAiServer.SGLANG, true)).path("priority").asInt())
                .isGreaterThan(OpenAiRequests.body(bulk, "m", options(OpenAiServer.SGLANG, true)).path("priority")
                        .asInt());
        assertThat(OpenAiRequests.body(interactive, "m", options(OpenAiServer.VLLM, false)).has("priority")).isFalse();
        assertThatThrownBy(() -> options(OpenAiServer.OLLAMA, true)).hasMessageContaining("takes no request priority");
    }

    private static OpenAiOptions options(OpenAiServer server, boolean priority) {
        return new OpenAiOptions("m", server, Duration.ofSeconds(5), priority);
    }
}
