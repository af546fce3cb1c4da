package dev.sluice.backend;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * One inference server endpoint serving one model, whatever its protocol.
 *
 * <p>Implementations own no channel: they are handed one, so a channel can be shared and tested. A batch is
 * answered as a whole: the future completes with one result per request, in request order, or exceptionally
 * with a {@link BackendException} that says whether trying again may help.
 */
public interface InferenceBackend extends AutoCloseable {

    /**
     * Checks that the server and model are ready and that the model's signature is the expected one, within
     * {@code deadline} for all the calls it takes. Blocks; {@link #generate} may be called once it has passed.
     */
    void checkReady(Duration deadline) throws BackendException;

    /**
     * Sends the requests, as few server calls as the model allows, each call bounded by the time its requests have
     * left ({@link CallDeadlines}). Cancelling the returned future abandons the calls: they are cancelled at the
     * server, which stops generating for them.
     */
    CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch);

    /**
     * Most requests that share one server call, and so one fate. Callers that batch hand over at most this many
     * at a time, so one refused request fails only those it travelled with. 1 for protocols with a call per request.
     */
    default int maxBatchPerCall() {
        return 1;
    }

    /**
     * The context window, in tokens, the server said it serves at its last readiness check; empty where the
     * protocol reports none or no check has passed. Routing trusts it over the catalog: a server started with a
     * shorter {@code --context-length} than the model card's fails what does not fit.
     */
    default OptionalInt servedContext() {
        return OptionalInt.empty();
    }

    /**
     * {@code text}'s tokens by the model's own tokenizer, where this backend holds it (once a readiness check has
     * passed); empty where it does not, and callers estimate instead.
     */
    default OptionalInt countTokens(String text) {
        return OptionalInt.empty();
    }

    /** The protocol name recorded on completions, e.g. {@code triton}. */
    String protocol();

    /** Where the server is, as {@code host:port}. */
    String endpoint();

    @Override
    void close();
}
