package dev.sluice.emulator.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.sluice.emulator.EmulatedCompletion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulator (vLLM's dialect) through the official OpenAI Java SDK: what real clients of vLLM see. */
class OpenAiSdkTest {

    private static final String QUESTION = "Summarise the batch results, please.";

    private RunningEmulator emulator;

    @AfterEach
    void stop() {
        emulator.close();
    }

    private OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(emulator.server.baseUrl().toString()).apiKey(apiKey)
                .maxRetries(0).build();
    }

    private static ChatCompletionCreateParams.Builder ask(String question) {
        return ChatCompletionCreateParams.builder().model(RunningEmulator.MODEL).addUserMessage(question);
    }

    @Test
    void aChatCompletionCarriesTheModelsTextAndItsUsageWithCachedTokensTheSecondTime() {
        emulator = RunningEmulator.of(Dialect.VLLM);
        OpenAIClient client = client("unused");
        EmulatedCompletion expected = emulator.expectedChat(QUESTION, 5);
        int promptTokens = emulator.tokenizer.encode(emulator.renderedChat(QUESTION)).length;

        ChatCompletion first = client.chat().completions().create(ask(QUESTION).maxCompletionTokens(5).build());
        ChatCompletion second = client.chat().completions().create(ask(QUESTION).maxCompletionTokens(5).build());

        assertThat(first.choices()).hasSize(1);
        assertThat(first.choices().get(0).message().content()).contains(expected.text());
        assertThat(first.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(first.model()).isEqualTo(RunningEmulator.MODEL);
        CompletionUsage usage = first.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(promptTokens);
        assertThat(usage.completionTokens()).isEqualTo(5);
        assertThat(usage.totalTokens()).isEqualTo(promptTokens + 5);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(0L);
        // The prefix cache holds the first prompt's whole blocks now.
        assertThat(second.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElseThrow())
                .isEqualTo(promptTokens / 16 * 16L).isPositive();
    }

    @Test
    void aStreamWithIncludeUsageAddsUpToTheTextAndEndsWithTheUsage() {
        emulator = RunningEmulator.of(Dialect.VLLM);
        EmulatedCompletion expected = emulator.expectedChat(QUESTION, Integer.MAX_VALUE);
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = client("unused").chat().completions().createStreaming(
                ask(QUESTION).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }

        assertThat(text.toString()).isEqualTo(expected.text());
        assertThat(chunks).hasSizeGreaterThan(3);
        assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(chunks.get(0).id());
        assertThat(chunks).extracting(ChatCompletionChunk::created).containsOnly(chunks.get(0).created());
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(expected.tokens());
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
        assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason())
                .contains(ChatCompletionChunk.Choice.FinishReason.STOP);
    }

    @Test
    void aJsonSchemaResponseFormatIsAnsweredWithJsonValidAgainstIt() throws Exception {
        emulator = RunningEmulator.of(Dialect.VLLM);
        String schema = "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}, "
                + "\"population\": {\"type\": \"integer\", \"minimum\": 1}}, \"required\": [\"city\", \"population\"], "
                + "\"additionalProperties\": false}";
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder schemaValue =
                ResponseFormatJsonSchema.JsonSchema.Schema.builder();
        RunningEmulator.JSON.readValue(schema, Map.class).forEach(
                (key, value) -> schemaValue.putAdditionalProperty((String) key, JsonValue.from(value)));

        ChatCompletion answer = client("unused").chat().completions().create(ask("Which city is largest?")
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema
                        .builder().name("city").schema(schemaValue.build()).strict(true).build()).build())
                .build());

        String content = answer.choices().get(0).message().content().orElseThrow();
        assertThat(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema)
                .validate(RunningEmulator.json(content))).as(content).isEmpty();
    }

    @Test
    void aBearerTokenIsRequiredWhenConfigured() {
        emulator = new RunningEmulator(OpenAiEmulator.Options.of(Dialect.VLLM).withBearerToken("s3cret"));

        assertThatThrownBy(() -> client("wrong").chat().completions().create(ask(QUESTION).build()))
                .isInstanceOf(UnauthorizedException.class);
        assertThat(client("s3cret").chat().completions().create(ask(QUESTION).build()).choices()).hasSize(1);
    }

    @Test
    void anotherModelNameIsNotFoundAndVllmsPriorityArrives() {
        emulator = RunningEmulator.of(Dialect.VLLM);
        OpenAIClient client = client("unused");

        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage(QUESTION).build())).isInstanceOf(NotFoundException.class);
        client.chat().completions().create(ask(QUESTION).putAdditionalBodyProperty("priority", JsonValue.from(-3))
                .build());

        assertThat(emulator.server.priorityCounts()).containsExactly(Map.entry(-3, 1L));
    }
}
