package dev.sluice.emulator.openai;

import static dev.sluice.emulator.openai.RunningEmulator.chat;
import static dev.sluice.emulator.openai.RunningEmulator.dataEvents;
import static dev.sluice.emulator.openai.RunningEmulator.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** What each dialect does differently, over raw HTTP, against the facts its values were taken from. */
class OpenAiDialectTest {

    private static final String QUESTION = "Summarise the batch results, please.";
    private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}},"
            + " \"required\": [\"city\"]}";

    static Stream<Arguments> healthChecks() {
        return Stream.of(
                Arguments.of(Dialect.VLLM, "/health", "", ""),
                Arguments.of(Dialect.SGLANG, "/health", "", ""),
                Arguments.of(Dialect.SGLANG, "/health_generate", "", ""),
                Arguments.of(Dialect.TGI, "/health", "", "{\"error\":\"unhealthy\",\"error_type\":\"healthcheck\"}"),
                Arguments.of(Dialect.LLAMA_CPP, "/health", "{\"status\":\"ok\"}",
                        "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}"),
                Arguments.of(Dialect.LLAMA_CPP, "/v1/health", "{\"status\":\"ok\"}",
                        "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}"),
                Arguments.of(Dialect.OLLAMA, "/", "Ollama is running", ""),
                Arguments.of(Dialect.TRTLLM_SERVE, "/health", "",
                        "LLM is unavailable. Please check the server logs for more details."));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("healthChecks")
    void healthAnswersOnTheDialectsPathWithItsBodiesUpAndDown(Dialect dialect, String path, String up, String down)
            throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(dialect)) {
            HttpResponse<String> healthy = emulator.get(path);
            emulator.faults.unavailableFor(Duration.ofMinutes(1));
            HttpResponse<String> unhealthy = emulator.get(path);

            assertThat(healthy.statusCode()).isEqualTo(200);
            assertThat(healthy.body()).isEqualTo(up);
            assertThat(unhealthy.statusCode()).isEqualTo(503);
            assertThat(unhealthy.body()).isEqualTo(down);
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void modelsListsTheServedModelAndAnUnknownPathIsNotFound(Dialect dialect) throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(dialect)) {
            JsonNode models = json(emulator.get("/v1/models").body());

            assertThat(models.path("data").get(0).path("id").asText()).isEqualTo(RunningEmulator.MODEL);
            assertThat(emulator.get("/v1/nothing").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aStopStringEndsTheAnswerAsStopSequenceInTgiAndAsStopElsewhere() throws Exception {
        for (Dialect dialect : List.of(Dialect.TGI, Dialect.VLLM)) {
            try (RunningEmulator emulator = RunningEmulator.of(dialect)) {
                String natural = emulator.expectedChat(QUESTION, Integer.MAX_VALUE).text();
                String stop = natural.substring(natural.length() / 2, natural.length() / 2 + 4);
                String shown = natural.substring(0, natural.indexOf(stop));

                JsonNode answer = json(emulator.post("/v1/chat/completions",
                        chat(QUESTION, "\"stop\": [\"never said\", " + RunningEmulator.JSON.valueToTree(stop) + "]"))
                        .body());

                JsonNode choice = answer.path("choices").get(0);
                assertThat(choice.path("message").path("content").asText()).isEqualTo(shown);
                assertThat(choice.path("finish_reason").asText())
                        .isEqualTo(dialect == Dialect.TGI ? "stop_sequence" : "stop");
                assertThat(answer.path("usage").path("completion_tokens").asInt())
                        .isEqualTo(emulator.tokenizer.encode(shown + stop).length);
            }
        }
    }

    @Test
    void llamaCppInterleavesPingCommentsInStreamsAndReportsTimings() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.LLAMA_CPP)) {
            HttpResponse<String> stream = emulator.post("/v1/chat/completions", chat(QUESTION, "\"stream\": true"));
            JsonNode whole = json(emulator.post("/v1/chat/completions", chat(QUESTION, "")).body());

            assertThat(stream.headers().firstValue("Content-Type")).contains("text/event-stream");
            List<String> lines = stream.body().lines().filter(line -> !line.isEmpty()).toList();
            assertThat(lines).contains(": ping");
            assertThat(lines.indexOf(": ping")).isLessThan(lines.indexOf("data: [DONE]"));
            List<String> events = dataEvents(stream.body());
            JsonNode finish = json(events.get(events.size() - 2));
            assertThat(finish.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
            assertThat(finish.path("timings").path("predicted_n").asInt())
                    .isEqualTo(emulator.expectedChat(QUESTION, Integer.MAX_VALUE).tokens());
            // The stream left the prompt in the prefix cache: llama.cpp counts only what it had to process.
            assertThat(whole.path("timings").path("cache_n").asInt()).isPositive();
            assertThat(whole.path("timings").path("prompt_n").asInt() + whole.path("timings").path("cache_n").asInt())
                    .isEqualTo(whole.path("usage").path("prompt_tokens").asInt());
            assertThat(whole.path("timings").path("predicted_ms").asDouble()).isPositive();
        }
    }

    @Test
    void otherDialectsSendNoPingsAndNoTimings() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.VLLM)) {
            String stream = emulator.post("/v1/chat/completions", chat(QUESTION, "\"stream\": true")).body();
            JsonNode whole = json(emulator.post("/v1/chat/completions", chat(QUESTION, "")).body());

            assertThat(stream.lines()).noneMatch(line -> line.startsWith(":"));
            assertThat(whole.has("timings")).isFalse();
        }
    }

    @Test
    void llamaCppTakesTheSchemaAtTheTopLevelOfResponseFormat() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.LLAMA_CPP)) {
            assertValidAgainstSchema(emulator.post("/v1/chat/completions",
                    chat(QUESTION, "\"response_format\": {\"type\": \"json_schema\", \"schema\": " + SCHEMA + "}")));
        }
    }

    @Test
    void tgiTakesItsTaggedGrammarAndRefusesOpenAisShape() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.TGI)) {
            assertValidAgainstSchema(emulator.post("/v1/chat/completions",
                    chat(QUESTION, "\"response_format\": {\"type\": \"json\", \"value\": " + SCHEMA + "}")));
            HttpResponse<String> refused = emulator.post("/v1/chat/completions", chat(QUESTION,
                    "\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"c\", \"schema\": "
                            + SCHEMA + "}}"));

            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(json(refused.body()).path("error").isTextual()).isTrue();
            assertThat(json(refused.body()).path("error_type").asText()).isEqualTo("invalid_request_error");
        }
    }

    private static void assertValidAgainstSchema(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String content = json(response.body()).path("choices").get(0).path("message").path("content").asText();
        assertThat(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA)
                .validate(json(content))).as(content).isEmpty();
    }

    @Test
    void ollamasUsageHasNoPromptTokensDetailsWhereVllmsHasThem() throws Exception {
        try (RunningEmulator ollama = RunningEmulator.of(Dialect.OLLAMA);
                RunningEmulator vllm = RunningEmulator.of(Dialect.VLLM)) {
            JsonNode ollamaUsage = json(ollama.post("/v1/chat/completions", chat(QUESTION, "")).body()).path("usage");
            JsonNode vllmUsage = json(vllm.post("/v1/chat/completions", chat(QUESTION, "")).body()).path("usage");

            assertThat(ollamaUsage.path("prompt_tokens").asInt()).isPositive();
            assertThat(ollamaUsage.has("prompt_tokens_details")).isFalse();
            assertThat(vllmUsage.path("prompt_tokens_details").has("cached_tokens")).isTrue();
        }
    }

    @Test
    void streamOptionsAloneAskForUsageInVllmButNotInSglang() throws Exception {
        String body = chat(QUESTION, "\"stream\": true, \"stream_options\": {}");
        try (RunningEmulator vllm = RunningEmulator.of(Dialect.VLLM);
                RunningEmulator sglang = RunningEmulator.of(Dialect.SGLANG)) {
            List<String> vllmEvents = dataEvents(vllm.post("/v1/chat/completions", body).body());
            List<String> sglangEvents = dataEvents(sglang.post("/v1/chat/completions", body).body());

            JsonNode usageChunk = json(vllmEvents.get(vllmEvents.size() - 2));
            assertThat(usageChunk.path("choices")).isEmpty();
            assertThat(usageChunk.path("usage").path("total_tokens").asInt()).isPositive();
            assertThat(json(sglangEvents.get(sglangEvents.size() - 2)).path("usage").isNull()).isTrue();
        }
    }

    @Test
    void aChatStreamIsDataOnlyChunksSharingIdAndCreatedEndingWithDone() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.SGLANG)) {
            List<String> events = dataEvents(emulator.post("/v1/chat/completions",
                    chat(QUESTION, "\"stream\": true, \"stream_options\": {\"include_usage\": true}")).body());

            assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
            List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(event -> {
                try {
                    return json(event);
                } catch (Exception e) {
                    throw new AssertionError(event, e);
                }
            }).toList();
            assertThat(chunks).extracting(chunk -> chunk.path("object").asText()).containsOnly("chat.completion.chunk");
            assertThat(chunks).extracting(chunk -> chunk.path("id").asText()).containsOnly(chunks.get(0).path("id")
                    .asText()).allMatch(id -> id.startsWith("chatcmpl-"));
            assertThat(chunks).extracting(chunk -> chunk.path("created").asLong())
                    .containsOnly(chunks.get(0).path("created").asLong());
            assertThat(chunks.get(0).path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
            assertThat(chunks.subList(0, chunks.size() - 1)).allMatch(chunk -> chunk.path("usage").isNull());
            assertThat(chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt())
                    .isEqualTo(emulator.expectedChat(QUESTION, Integer.MAX_VALUE).tokens());
        }
    }

    @Test
    void theLegacyCompletionsRouteAnswersTextAndDefaultsToSixteenTokens() throws Exception {
        try (RunningEmulator emulator = RunningEmulator.of(Dialect.VLLM)) {
            JsonNode answer = json(emulator.post("/v1/completions",
                    "{\"model\": \"" + RunningEmulator.MODEL + "\", \"prompt\": \"Tell me a long story\"}").body());

            assertThat(answer.path("object").asText()).isEqualTo("text_completion");
            assertThat(answer.path("choices").get(0).path("text").asText()).isNotEmpty();
            assertThat(answer.path("usage").path("completion_tokens").asInt()).isEqualTo(16);
            assertThat(answer.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
        }
    }

    @Test
    void errorsTakeTheDialectsShape() throws Exception {
        String wrongModel = "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        try (RunningEmulator vllm = RunningEmulator.of(Dialect.VLLM);
                RunningEmulator ollama = RunningEmulator.of(Dialect.OLLAMA);
                RunningEmulator trtllm = RunningEmulator.of(Dialect.TRTLLM_SERVE)) {
            HttpResponse<String> nested = vllm.post("/v1/chat/completions", wrongModel);
            JsonNode openAi = json(ollama.post("/v1/chat/completions", wrongModel).body());
            JsonNode flat = json(trtllm.post("/v1/chat/completions", wrongModel).body());
            HttpResponse<String> twoChoices = vllm.post("/v1/chat/completions", chat(QUESTION, "\"n\": 2"));

            assertThat(nested.statusCode()).isEqualTo(404);
            assertThat(json(nested.body()).path("error").path("code").asInt()).isEqualTo(404);
            assertThat(json(nested.body()).path("error").path("message").asText()).contains("gpt-4o");
            assertThat(openAi.path("error").path("code").asText()).isEqualTo("model_not_found");
            assertThat(flat.path("object").asText()).isEqualTo("error");
            assertThat(flat.path("code").asInt()).isEqualTo(404);
            assertThat(twoChoices.statusCode()).isEqualTo(400);
            assertThat(json(twoChoices.body()).path("error").path("param").asText()).isEqualTo("n");
        }
    }
}
