package dev.sluice.backend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.TokenEstimate;
import java.util.Optional;

/**
 * One streamed completion, read from its server-sent events: {@code data: <chunk>} lines, comments (llama.cpp's
 * pings) skipped, {@code data: [DONE]} at the end. The text is the chunks' {@code delta.content} (chat) or
 * {@code text} (completions); the counts are the last chunk's {@code usage}. Servers differ in small ways, each
 * tolerated here: TGI ends on a stop string with {@code stop_sequence}, Ollama reports no
 * {@code prompt_tokens_details}, and a server that sends no usage at all gets its counts estimated (one token a
 * chunk, the prompt by {@link TokenEstimate}) rather than zeros that would read as free.
 */
final class StreamedAnswer {

    private static final String DATA = "data:";

    private final GenerationRequest request;
    private final String endpoint;
    private final StringBuilder text = new StringBuilder();
    private String finishReason;
    private JsonNode usage;
    private int chunksWithText;
    private long firstTokenAtNanos;
    private boolean done;

    StreamedAnswer(GenerationRequest request, String endpoint) {
        this.request = request;
        this.endpoint = endpoint;
    }

    /** Takes one line of the event stream. */
    void accept(String line) {
        if (!line.startsWith(DATA)) {
            // A blank line ends an event; ':' opens a comment; event, id and retry fields carry nothing here.
            return;
        }
        String data = line.substring(DATA.length()).strip();
        if (data.equals("[DONE]")) {
            done = true;
            return;
        }
        JsonNode chunk = OpenAiJson.tryParse(data).orElseThrow(() -> BackendException.permanent(
                endpoint + ": a streamed chunk of " + request.id() + " is not JSON", null));
        if (chunk.has("error")) {
            // A mid-stream error: the server gave up on the request part-way.
            throw BackendException.retryable(endpoint + ": the server failed " + request.id() + " mid-stream: "
                    + chunk.path("error").path("message").asText(chunk.path("error").asText("")), null);
        }
        JsonNode choice = chunk.path("choices").path(0);
        String piece = choice.path("delta").path("content").asText(choice.path("text").asText(""));
        if (!piece.isEmpty()) {
            if (firstTokenAtNanos == 0) {
                firstTokenAtNanos = System.nanoTime();
            }
            text.append(piece);
            chunksWithText++;
        }
        if (choice.hasNonNull("finish_reason")) {
            finishReason = choice.get("finish_reason").asText();
        }
        if (chunk.hasNonNull("usage")) {
            usage = chunk.get("usage");
        }
    }

    /** The completion, once the stream has ended; a stream that ended before its last chunk fails. */
    GenerationResult result() {
        if (finishReason == null) {
            throw BackendException.retryable(endpoint + ": the stream of " + request.id() + " ended before finishing"
                    + (done ? "" : " (no [DONE])"), null);
        }
        int promptTokens = count("prompt_tokens").orElseGet(() -> TokenEstimate.of(request.prompt()));
        int completionTokens = count("completion_tokens").orElse(chunksWithText);
        int cachedTokens = usage == null ? 0 : usage.path("prompt_tokens_details").path("cached_tokens").asInt(0);
        return new GenerationResult(request.id(), text.toString(), finishReason(finishReason), promptTokens,
                completionTokens, cachedTokens, 1, firstTokenAtNanos);
    }

    private Optional<Integer> count(String field) {
        return usage != null && usage.path(field).canConvertToInt() && usage.path(field).isNumber()
                ? Optional.of(usage.get(field).asInt()) : Optional.empty();
    }

    /**
     * {@code length} when the token limit ended it, else {@code stop}: TGI's {@code stop_sequence} and
     * {@code eos_token}, and a tool call, are the model stopping.
     */
    static String finishReason(String reported) {
        return reported.equals("length") ? "length" : "stop";
    }
}
