package dev.sluice.backend.triton;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcErrors;
import dev.sluice.backend.TokenEstimate;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.ModelInferResponse;
import dev.sluice.proto.triton.ModelStreamInferResponse;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code ModelStreamInfer} stream carrying every request of a backend, answers correlated by request id.
 * Chunks carry only new output and may split a multi-byte character, so bytes are joined before decoding. A
 * request ends on {@code triton_final_response} or on its own {@code error_message}; a broken stream fails the
 * requests on it and the next request opens a new one. Triton cannot cancel one request inside a stream, so a
 * request past its deadline is failed here and its late responses are dropped.
 */
final class TritonStream {

    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
    private final String endpoint;
    private final TritonModelOptions options;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private StreamObserver<dev.sluice.proto.triton.ModelInferRequest> requests;
    private Responses current;

    TritonStream(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub, String endpoint, TritonModelOptions options) {
        this.stub = stub;
        this.endpoint = endpoint;
        this.options = options;
    }

    /** A request in flight and what has come back for it. */
    private static final class Pending {
        final GenerationRequest request;
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        long firstOutputAt;
        int outputTokens;
        int inputTokens;
        String finishReason;

        Pending(GenerationRequest request) {
            this.request = request;
        }
    }

    CompletableFuture<GenerationResult> submit(TritonModelSignature signature, GenerationRequest request) {
        // Unique on the stream even when request ids repeat.
        String id = request.id() + "#" + sequence.incrementAndGet();
        var message = new InferRequestBuilder(options, signature, List.of(request), id).streamed(options.tensors());
        Pending entry = new Pending(request);
        pending.put(id, entry);
        Responses stream;
        synchronized (this) {
            if (requests == null) {
                current = new Responses();
                requests = stub.modelStreamInfer(current);
            }
            stream = current;
            stream.sent.add(id);
            try {
                requests.onNext(message);
            } catch (RuntimeException e) {
                // Never sent: nothing will answer it, so it must not stay registered.
                stream.sent.remove(id);
                pending.remove(id);
                throw e;
            }
        }
        return entry.result.orTimeout(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(unwrap(failure)
                        instanceof TimeoutException
                        ? BackendException.retryable(endpoint + ": no final response within " + options.callTimeout(),
                                failure)
                        : unwrap(failure)))
                .whenComplete((result, failure) -> {
                    pending.remove(id);
                    stream.sent.remove(id);
                });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    synchronized void close() {
        if (requests != null) {
            requests.onCompleted();
            requests = null;
        }
    }

    private final class Responses implements StreamObserver<ModelStreamInferResponse> {
        /** Requests sent on this stream: a broken stream fails these, not those on its successor. */
        final java.util.Set<String> sent = ConcurrentHashMap.newKeySet();

        @Override
        public void onNext(ModelStreamInferResponse response) {
            ModelInferResponse infer = response.getInferResponse();
            Pending entry = pending.get(infer.getId());
            if (entry == null) {
                return;
            }
            if (!response.getErrorMessage().isEmpty()) {
                entry.result.completeExceptionally(streamedError(response.getErrorMessage()));
                return;
            }
            try {
                absorb(entry, infer);
            } catch (RuntimeException e) {
                entry.result.completeExceptionally(BackendException.permanent(
                        endpoint + ": unreadable stream response: " + e.getMessage(), e));
                return;
            }
            InferParameter last = infer.getParametersOrDefault("triton_final_response", null);
            if (last != null && last.getBoolParam()) {
                entry.result.complete(finish(entry));
            }
        }

        @Override
        public void onError(Throwable failure) {
            streamEnded(GrpcErrors.classify(endpoint, failure));
        }

        @Override
        public void onCompleted() {
            streamEnded(BackendException.retryable(endpoint + ": the server closed the stream", null));
        }

        private void streamEnded(BackendException failure) {
            synchronized (TritonStream.this) {
                if (current == this) {
                    requests = null;
                    current = null;
                }
            }
            // Nothing half-done is ever reported as finished.
            for (String id : sent) {
                Pending entry = pending.get(id);
                if (entry != null) {
                    entry.result.completeExceptionally(failure);
                }
            }
        }
    }

    /** Triton's queue-full and queue-timeout refusals pass; other per-request errors repeat. */
    private BackendException streamedError(String message) {
        String text = endpoint + ": " + message;
        return message.contains("Exceeds maximum queue size") || message.contains("Request timeout expired")
                ? BackendException.retryable(text, null)
                : BackendException.permanent(text, null);
    }

    private void absorb(Pending entry, ModelInferResponse infer) {
        TritonTensorNames names = options.tensors();
        for (int i = 0; i < infer.getOutputsCount() && i < infer.getRawOutputContentsCount(); i++) {
            String name = infer.getOutputs(i).getName();
            var raw = infer.getRawOutputContents(i);
            if (name.equals(names.textOutput())) {
                for (byte[] element : TritonTensors.decodeElements(raw)) {
                    if (element.length > 0 && entry.firstOutputAt == 0) {
                        entry.firstOutputAt = System.nanoTime();
                    }
                    entry.text.writeBytes(element);
                }
            } else if (name.equals(names.numOutputTokens())) {
                entry.outputTokens += sum(TritonTensors.decodeInts(raw));
            } else if (name.equals(names.numInputTokens())) {
                entry.inputTokens = Math.max(entry.inputTokens, sum(TritonTensors.decodeInts(raw)));
            } else if (name.equals(names.finishReason())) {
                String reason = String.join("", TritonTensors.decodeStrings(raw));
                if (!reason.isEmpty()) {
                    entry.finishReason = reason;
                }
            }
        }
    }

    private static GenerationResult finish(Pending entry) {
        String text = entry.text.toString(StandardCharsets.UTF_8);
        int completion = entry.outputTokens > 0 ? entry.outputTokens : TokenEstimate.of(text);
        int prompt = entry.inputTokens > 0 ? entry.inputTokens : TokenEstimate.of(entry.request.prompt());
        String finish = entry.finishReason != null ? entry.finishReason
                : completion >= entry.request.maxTokens() ? "length" : "stop";
        return new GenerationResult(entry.request.id(), text, finish, prompt, completion, 0, 1, entry.firstOutputAt);
    }

    private static int sum(int[] values) {
        int total = 0;
        for (int value : values) {
            total += value;
        }
        return total;
    }
}
