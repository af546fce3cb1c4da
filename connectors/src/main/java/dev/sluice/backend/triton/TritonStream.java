package dev.sluice.backend.triton;

import dev.sluice.backend.BackendException;
import dev.sluice.backend.CallDeadlines;
import dev.sluice.backend.CallFutures;
import dev.sluice.backend.CancellableCall;
import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.GrpcErrors;
import dev.sluice.backend.TokenEstimate;
import dev.sluice.proto.triton.GRPCInferenceServiceGrpc;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferResponse;
import dev.sluice.proto.triton.ModelStreamInferResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ModelStreamInfer} calls, a stream per request. Chunks carry only new output and may split a multi-byte
 * character, so bytes are joined before decoding. A request ends on {@code triton_final_response} or on its own
 * {@code error_message}; a broken stream fails it. Triton cancels every request of a stream when the stream is
 * cancelled, and cannot cancel one request within a stream: with a stream of its own, a request that is past its
 * deadline (the stream's) or abandoned by the caller is cancelled at the server without touching any other.
 */
final class TritonStream {

    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
    private final String endpoint;
    private final TritonModelOptions options;
    private final AtomicLong sequence = new AtomicLong();

    TritonStream(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub, String endpoint, TritonModelOptions options) {
        this.stub = stub;
        this.endpoint = endpoint;
        this.options = options;
    }

    /** Sends {@code request} on a stream of its own; cancelling the future cancels the stream. */
    CompletableFuture<GenerationResult> submit(TritonModelSignature signature, GenerationRequest request) {
        // Unique per backend even when request ids repeat, so server logs tell the attempts apart.
        String id = request.id() + "#" + sequence.incrementAndGet();
        var message = new InferRequestBuilder(options, signature, List.of(request), id).streamed(options.tensors());
        Answer answer = new Answer(request);
        stub.withDeadlineAfter(CallDeadlines.remainingNanos(List.of(request), options.callTimeout()),
                TimeUnit.NANOSECONDS).modelStreamInfer(answer);
        // Half-closed at once: Triton answers a stream's requests before ending it.
        answer.sendOnly(message);
        return CallFutures.onCancel(answer.result, answer::cancel);
    }

    /** One request's stream and what has come back on it. */
    private final class Answer extends CancellableCall<ModelInferRequest, ModelStreamInferResponse> {
        final GenerationRequest request;
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        long firstOutputAt;
        int outputTokens;
        int inputTokens;
        String finishReason;

        Answer(GenerationRequest request) {
            this.request = request;
        }

        @Override
        public void onNext(ModelStreamInferResponse response) {
            ModelInferResponse infer = response.getInferResponse();
            if (!response.getErrorMessage().isEmpty()) {
                result.completeExceptionally(streamedError(response.getErrorMessage()));
                return;
            }
            try {
                absorb(this, infer);
            } catch (RuntimeException e) {
                result.completeExceptionally(BackendException.permanent(
                        endpoint + ": unreadable stream response: " + e.getMessage(), e));
                return;
            }
            InferParameter last = infer.getParametersOrDefault("triton_final_response", null);
            if (last != null && last.getBoolParam()) {
                result.complete(finish(this));
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(GrpcErrors.classify(endpoint, failure));
        }

        @Override
        public void onCompleted() {
            // Nothing half-done is ever reported as finished.
            result.completeExceptionally(BackendException.retryable(
                    endpoint + ": the server closed the stream before the final response", null));
        }
    }

    /** Triton's queue-full and queue-timeout refusals pass; other per-request errors repeat. */
    private BackendException streamedError(String message) {
        String text = endpoint + ": " + message;
        return message.contains("Exceeds maximum queue size") || message.contains("Request timeout expired")
                ? BackendException.retryable(text, null)
                : BackendException.permanent(text, null);
    }

    private void absorb(Answer entry, ModelInferResponse infer) {
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

    private static GenerationResult finish(Answer entry) {
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
