package dev.sluice.emulator.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.emulator.InflightBatchingEngine.Generation;
import dev.sluice.emulator.openai.CompletionRequest.Kind;
import java.time.Instant;
import java.util.UUID;

/**
 * The JSON bodies of one completion in a dialect: the whole answer, or a stream's chunks, all with the same
 * {@code id} and {@code created}.
 */
final class CompletionJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Token counts of a request.
     *
     * @param promptTokens tokens of the rendered prompt
     * @param completionTokens tokens generated
     * @param cachedTokens prompt tokens found in the prefix cache
     */
    record Usage(int promptTokens, int completionTokens, int cachedTokens) {}

    private final Kind kind;
    private final Traits dialect;
    private final String model;
    private final String id = UUID.randomUUID().toString().replace("-", "");
    private final long created = Instant.now().getEpochSecond();

    CompletionJson(Kind kind, Traits dialect, String model) {
        this.kind = kind;
        this.dialect = dialect;
        this.model = model;
    }

    /** The answer of a request that did not stream. */
    String response(String text, String finishReason, Usage usage, Generation generation) {
        ObjectNode body = envelope(kind.object);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        if (kind == Kind.CHAT) {
            choice.putObject("message").put("role", "assistant").put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", dialect.finishReason(finishReason));
        body.set("usage", usage(usage));
        timings(body, usage, generation);
        return body.toString();
    }

    /** A chat stream's first chunk: who speaks, before any text. */
    String roleChunk() {
        ObjectNode chunk = chunk(null);
        choice(chunk).putObject("delta").put("role", "assistant").put("content", "");
        return chunk.toString();
    }

    /** A chunk of new text. */
    String textChunk(String text) {
        ObjectNode chunk = chunk(null);
        if (kind == Kind.CHAT) {
            choice(chunk).putObject("delta").put("content", text);
        } else {
            choice(chunk).put("text", text);
        }
        return chunk.toString();
    }

    /** The chunk that says why the stream ends; llama.cpp puts its timings on it. */
    String finishChunk(String finishReason, Usage usage, Generation generation) {
        ObjectNode chunk = chunk(dialect.finishReason(finishReason));
        if (kind == Kind.CHAT) {
            choice(chunk).putObject("delta");
        } else {
            choice(chunk).put("text", "");
        }
        timings(chunk, usage, generation);
        return chunk.toString();
    }

    /** The extra last chunk of {@code include_usage}: no choices, the whole request's usage. */
    String usageChunk(Usage usage) {
        ObjectNode chunk = envelope(kind.chunkObject);
        chunk.putArray("choices");
        chunk.set("usage", usage(usage));
        return chunk.toString();
    }

    private ObjectNode envelope(String object) {
        return JSON.createObjectNode().put("id", kind.idPrefix + id).put("object", object).put("created", created)
                .put("model", model);
    }

    /** A chunk with one choice, whose content the caller adds, and {@code usage: null} as OpenAI sends. */
    private ObjectNode chunk(String finishReason) {
        ObjectNode chunk = envelope(kind.chunkObject);
        chunk.putArray("choices").addObject().put("index", 0).putNull("logprobs").put("finish_reason", finishReason);
        chunk.putNull("usage");
        return chunk;
    }

    private static ObjectNode choice(ObjectNode chunk) {
        return (ObjectNode) chunk.path("choices").get(0);
    }

    private ObjectNode usage(Usage usage) {
        ObjectNode node = JSON.createObjectNode().put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.promptTokens() + usage.completionTokens());
        if (dialect.reportsCachedTokens()) {
            node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        }
        return node;
    }

    /**
     * llama.cpp's {@code timings}, in model time: the prompt phase runs to the first token, the predicted phase
     * from there to the last; {@code prompt_n} counts only the tokens the cache did not hold ({@code cache_n}).
     */
    private void timings(ObjectNode body, Usage usage, Generation generation) {
        if (!dialect.timings()) {
            return;
        }
        int promptN = usage.promptTokens() - usage.cachedTokens();
        double promptMs = (generation.firstTokenNanos() - generation.queuedNanos()) / 1e6;
        double predictedMs = (generation.totalNanos() - generation.firstTokenNanos()) / 1e6;
        ObjectNode timings = body.putObject("timings").put("cache_n", usage.cachedTokens());
        phase(timings, "prompt", promptN, promptMs);
        phase(timings, "predicted", generation.outputTokens(), predictedMs);
    }

    private static void phase(ObjectNode timings, String name, int tokens, double millis) {
        timings.put(name + "_n", tokens).put(name + "_ms", millis)
                .put(name + "_per_token_ms", tokens == 0 ? 0 : millis / tokens)
                .put(name + "_per_second", millis == 0 ? 0 : tokens * 1000 / millis);
    }
}
