package dev.sluice.backend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.backend.BackendException;
import dev.sluice.backend.BackendSpec;
import dev.sluice.backend.BoundedLines;
import dev.sluice.backend.CallDeadlines;
import dev.sluice.backend.CallFutures;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.InferenceBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A model behind an OpenAI-compatible HTTP server: vLLM, SGLang's HTTP server, TGI, llama.cpp's server, Ollama or
 * trtllm-serve ({@link OpenAiServer} says which, for the one request field they take differently). One streamed
 * request a prompt ({@code /v1/chat/completions} for a conversation, {@code /v1/completions} for a plain prompt),
 * bounded by the time its request has left; cancelling it closes its stream, which these servers take as an abort.
 * Readiness is {@code GET /v1/models} naming the served model, the one probe all six answer alike; where the
 * listing says {@code max_model_len} (vLLM, SGLang), that is the served context.
 */
public final class OpenAiBackend implements InferenceBackend {

    /** A streamed line: a chunk with a few hundred characters of text at most, far below this. */
    static final int MAX_LINE_BYTES = 1 << 20;
    /** A whole answer: every chunk's envelope around text the output topic caps far lower. */
    static final long MAX_BODY_BYTES = 64L << 20;
    /** An error body or model listing. */
    private static final int MAX_SMALL_BODY_BYTES = 1 << 20;

    private final HttpClient http;
    private final String endpoint;
    private final URI base;
    private final OpenAiOptions options;
    private final Map<String, String> headers;
    private volatile int maxModelLength;

    /**
     * @param http the client, which this backend owns
     * @param endpoint {@code host:port}
     * @param tls whether to call it over https
     * @param options the served model, the server, the call timeout
     * @param headers sent on every request (the bearer token), resolved by the caller
     */
    public OpenAiBackend(HttpClient http, String endpoint, boolean tls, OpenAiOptions options,
            Map<String, String> headers) {
        this.http = http;
        this.endpoint = endpoint;
        this.base = URI.create((tls ? "https://" : "http://") + endpoint);
        this.options = options;
        this.headers = Map.copyOf(headers);
    }

    /** The backend a deployment's description asks for, on a client of its own. */
    public static OpenAiBackend open(BackendSpec spec) {
        return new OpenAiBackend(HttpClients.open(spec.security()), spec.endpoint(), spec.security().isTls(),
                new OpenAiOptions(spec.servedName(), spec.openAiServer(), spec.callTimeout(), spec.priorityScheduling()),
                spec.credentials().resolve());
    }

    @Override
    public void checkReady(Duration deadline) {
        HttpResponse<String> response;
        try {
            response = http.send(request("/v1/models", deadline).GET().build(),
                    info -> boundedText(info, MAX_SMALL_BODY_BYTES));
        } catch (IOException e) {
            throw BackendException.retryable(endpoint + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BackendException.retryable(endpoint + ": interrupted while checking readiness", e);
        }
        if (response.statusCode() != 200) {
            throw HttpErrors.classify(endpoint, response.statusCode(), response.headers(), response.body());
        }
        JsonNode listing = OpenAiJson.tryParse(response.body()).orElseThrow(() -> BackendException.permanent(
                endpoint + ": GET /v1/models did not answer JSON", null));
        List<String> served = new ArrayList<>();
        for (JsonNode model : listing.path("data")) {
            String id = model.path("id").asText();
            served.add(id);
            if (id.equals(options.servedName())) {
                maxModelLength = model.path("max_model_len").asInt(0);
                return;
            }
        }
        throw BackendException.permanent(endpoint + " serves " + served + ", not '" + options.servedName()
                + "' (the deployment's served-name)", null);
    }

    @Override
    public OptionalInt servedContext() {
        return maxModelLength > 0 ? OptionalInt.of(maxModelLength) : OptionalInt.empty();
    }

    @Override
    public CompletableFuture<List<GenerationResult>> generate(List<GenerationRequest> batch) {
        return CallFutures.allInOrder(CallFutures.startAll(batch, this::call));
    }

    private CompletableFuture<GenerationResult> call(GenerationRequest request) {
        long remaining = CallDeadlines.remainingNanos(List.of(request), options.callTimeout());
        if (remaining <= 0) {
            return CompletableFuture.failedFuture(BackendException.retryable(
                    endpoint + ": the deadline of " + request.id() + " has passed", null));
        }
        byte[] body;
        try {
            body = OpenAiJson.MAPPER.writeValueAsBytes(OpenAiRequests.body(request, options.servedName(), options));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(BackendException.permanent(
                    endpoint + ": cannot build the request for " + request.id() + ": " + e.getMessage(), null));
        }
        StreamedAnswer answer = new StreamedAnswer(request, endpoint);
        Exchange exchange = new Exchange(answer);
        CompletableFuture<HttpResponse<Void>> sent = http.sendAsync(
                request(OpenAiRequests.path(request), Duration.ofNanos(remaining))
                        .header("content-type", "application/json")
                        .header("accept", "text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                exchange::subscriber);
        CompletableFuture<GenerationResult> result = sent
                .thenApply(response -> exchange.result(response.statusCode(), response.headers()))
                // The whole stream, not only its headers, must end within the request's time.
                .orTimeout(remaining, TimeUnit.NANOSECONDS)
                .handle((value, failure) -> {
                    if (failure == null) {
                        return value;
                    }
                    exchange.close();
                    throw classify(request, failure);
                });
        // Cancelled, the stream is closed: the servers abort a request whose connection goes away.
        return CallFutures.onCancel(result, () -> {
            sent.cancel(true);
            exchange.close();
        });
    }

    /** The body of one call: the event stream of a 200, else the error, read within its caps. */
    private final class Exchange {
        private final StreamedAnswer answer;
        private final StringBuilder errorBody = new StringBuilder();
        private volatile BoundedLines lines;

        Exchange(StreamedAnswer answer) {
            this.answer = answer;
        }

        HttpResponse.BodySubscriber<Void> subscriber(HttpResponse.ResponseInfo info) {
            lines = info.statusCode() == 200
                    ? new BoundedLines(answer::accept, MAX_LINE_BYTES, MAX_BODY_BYTES)
                    : new BoundedLines(line -> errorBody.append(line).append('\n'), MAX_SMALL_BODY_BYTES,
                            MAX_SMALL_BODY_BYTES);
            return lines;
        }

        GenerationResult result(int status, java.net.http.HttpHeaders responseHeaders) {
            if (status != 200) {
                throw HttpErrors.classify(endpoint, status, responseHeaders, errorBody.toString());
            }
            return answer.result();
        }

        void close() {
            BoundedLines current = lines;
            if (current != null) {
                current.cancel();
            }
        }
    }

    private BackendException classify(GenerationRequest request, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof BackendException backendFailure) {
            return backendFailure;
        }
        if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
            return BackendException.retryable(endpoint + ": " + request.id() + " ran out of time", cause);
        }
        if (cause instanceof BoundedLines.TooLong tooLong) {
            return BackendException.permanent(endpoint + ": " + tooLong.getMessage(), null);
        }
        if (cause instanceof CancellationException) {
            return BackendException.retryable(endpoint + ": the call of " + request.id() + " was cancelled", cause);
        }
        // Connection refused or reset, a broken stream: the server may be back in a moment.
        return BackendException.retryable(endpoint + ": " + describe(cause), cause);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        headers.forEach(builder::header);
        return builder;
    }

    /** A small body as text, cut at {@code maxBytes}. */
    private static HttpResponse.BodySubscriber<String> boundedText(HttpResponse.ResponseInfo info, int maxBytes) {
        StringBuilder text = new StringBuilder();
        BoundedLines lines = new BoundedLines(line -> text.append(line).append('\n'), maxBytes, maxBytes);
        return HttpResponse.BodySubscribers.mapping(lines, done -> text.toString());
    }

    private static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : " " + failure.getMessage());
    }

    @Override
    public int maxBatchPerCall() {
        return 1;
    }

    @Override
    public String protocol() {
        return "openai";
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        // The JDK's client (Java 17) has no close: its connections go when it is unreachable, after its calls end.
    }
}
