package dev.sluice.emulator.openai;

import com.sun.net.httpserver.HttpExchange;
import dev.sluice.backend.tokenizer.IncrementalDetokenizer;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.InflightBatchingEngine.Generation;
import dev.sluice.emulator.InflightBatchingEngine.Sequence;
import dev.sluice.emulator.PrefixCache;
import dev.sluice.emulator.openai.CompletionJson.Usage;
import dev.sluice.emulator.openai.CompletionRequest.Kind;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One completion on the emulated GPU, from submission to the last byte: the whole answer when the sequence ends,
 * or a stream with a chunk per token as the GPU makes it. Nothing waits on a thread meanwhile. A client that
 * leaves a stream abandons its sequence, as a cancelled gRPC call does (the GPU stops unless the faults say the
 * server ignores cancellation); an injected stream drop cuts it with a mid-stream error.
 */
final class CompletionCall {

    private final Serving serving;
    private final CompletionRequest request;
    private final HttpExchange exchange;
    private final CompletionJson json;
    /** The sequence, once submitted: the GPU may call back before {@code submit} returns. */
    private final CompletableFuture<Sequence> submitted = new CompletableFuture<>();
    /** Set by whichever answers first: the end of the sequence or a dropped stream. */
    private final AtomicBoolean ended = new AtomicBoolean();
    private final EmulatedCompletion completion;
    private final Usage usage;
    private SseStream stream;
    private IncrementalDetokenizer detokenizer;
    /** Characters of the completion's text streamed so far; written on the GPU's thread, read after it ends. */
    private int streamed;

    private CompletionCall(Serving serving, CompletionRequest request, HttpExchange exchange) {
        this.serving = serving;
        this.request = request;
        this.exchange = exchange;
        this.json = new CompletionJson(request.kind(), serving.dialect(), serving.model().name());
        ModelTokenizer tokenizer = serving.tokenizer();
        try {
            this.completion = EmulatedCompletion.of(tokenizer, request.prompt(), request.maxTokens(),
                    request.jsonSchema()).stoppedAt(request.stop(), tokenizer);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("invalid JSON schema: " + e.getMessage(), "response_format");
        }
        int[] promptIds = tokenizer.encode(request.prompt());
        PrefixCache cache = serving.model().prefixCache();
        this.usage = new Usage(promptIds.length, completion.tokens(),
                cache == null ? 0 : cache.lookupAndInsert(promptIds));
    }

    /**
     * Queues the request on the GPU and returns; the exchange is answered when it ends.
     *
     * @throws ApiError when the request cannot be answered, before anything is sent
     */
    static void start(Serving serving, CompletionRequest request, HttpExchange exchange) throws IOException {
        new CompletionCall(serving, request, exchange).submit();
    }

    private void submit() throws IOException {
        if (request.stream()) {
            detokenizer = serving.tokenizer().detokenizer();
            stream = SseStream.open(exchange, () -> submitted.thenAccept(serving.faults()::abandon));
            if (request.kind() == Kind.CHAT) {
                stream.data(json.roleChunk());
            }
            if (serving.dialect().ssePing() != null) {
                stream.pingEvery(serving.dialect().ssePing(), serving.timer());
            }
        }
        Sequence sequence = serving.model().engine().submit(usage.promptTokens(), usage.cachedTokens(),
                completion.tokens(), this::onToken);
        submitted.complete(sequence);
        // On the GPU's thread, like the tokens: an executor shut down with the server must not reject the callback
        // into the engine, which the caller owns and which may outlive this server.
        sequence.done().whenComplete(this::finish);
    }

    /** On the GPU's thread, as each token's step ends. */
    private void onToken(int generated) {
        if (serving.faults().dropsStreamAt(generated)) {
            if (ended.compareAndSet(false, true)) {
                submitted.thenAccept(Sequence::cancel);
                fail(ApiError.fault("UNAVAILABLE"));
            }
            return;
        }
        if (stream == null) {
            return;
        }
        // The detokenizer holds back half characters; the text shown never goes past the completion's own, which
        // a stop string or max_tokens may have cut.
        String piece = detokenizer.append(new int[] {completion.outputIds()[generated - 1]});
        int end = Math.min(completion.text().length(), streamed + piece.length());
        if (end > streamed) {
            stream.data(json.textChunk(completion.text().substring(streamed, end)));
            streamed = end;
        }
    }

    private void finish(Generation generation, Throwable failure) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (failure != null) {
            // The engine closed, or the client left (its stream is closed and this goes nowhere).
            serving.finished().add(FinishedRequests.ABORT);
            fail(ApiError.fault("UNAVAILABLE"));
            return;
        }
        serving.finished().add(serving.dialect().finishReason(completion.finishReason()));
        if (stream == null) {
            answer(() -> Replies.json(exchange, 200,
                    json.response(completion.text(), completion.finishReason(), usage, generation)));
            return;
        }
        if (streamed < completion.text().length()) {
            stream.data(json.textChunk(completion.text().substring(streamed)));
        }
        stream.data(json.finishChunk(completion.finishReason(), usage, generation));
        if (request.includeUsage()) {
            stream.data(json.usageChunk(usage));
        }
        stream.done();
    }

    private void fail(ApiError error) {
        if (stream != null) {
            stream.fail(serving.dialect().errors().body(error).toString());
        } else {
            answer(() -> Replies.error(exchange, serving.dialect().errors(), error));
        }
    }

    private interface Reply {
        void send() throws IOException;
    }

    /** Sends a whole reply; a client that left cannot be told, so its exchange is just closed. */
    private void answer(Reply reply) {
        try {
            reply.send();
        } catch (IOException e) {
            exchange.close();
        }
    }
}
