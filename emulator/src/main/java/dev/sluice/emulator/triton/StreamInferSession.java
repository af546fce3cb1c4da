package dev.sluice.emulator.triton;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.Faults;
import dev.sluice.emulator.InflightBatchingEngine.Sequence;
import dev.sluice.proto.triton.InferParameter;
import dev.sluice.proto.triton.ModelInferRequest;
import dev.sluice.proto.triton.ModelInferResponse;
import dev.sluice.proto.triton.ModelStreamInferResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * One {@code ModelStreamInfer} stream: many requests, answered as their tokens come, correlated by id.
 *
 * <p>As TensorRT-LLM streams, each response carries only the new output, as raw bytes of the text: a chunk may end
 * inside a multi-byte character, which only a client that joins bytes before decoding reassembles. Every response
 * has {@code triton_final_response}; with {@code triton_enable_empty_final_response} the end is a separate empty
 * response. A failing request gets an {@code error_message} and the stream stays open. When the client goes away
 * (cancels the stream, or its deadline passes), every request of the stream is cancelled, as Triton does.
 *
 * <p>Responses are built and sent in order by a sender of the session's own, on the server's threads, not by the
 * emulated GPU's scheduler: a real server's GPU does not wait for its responses to be written, and a scheduler thread
 * writing a message per token of every sequence would set the pace of a full batch on a small machine.
 */
final class StreamInferSession implements StreamObserver<ModelInferRequest> {

    private static final String FINAL = "triton_final_response";
    private static final String EMPTY_FINAL = "triton_enable_empty_final_response";

    private final TritonEmulatorService service;
    private final StreamObserver<ModelStreamInferResponse> responses;
    private final Faults faults;
    private final Executor sender;
    private final Set<Sequence> pending = ConcurrentHashMap.newKeySet();
    private boolean halfClosed;
    private boolean ended;

    StreamInferSession(TritonEmulatorService service, StreamObserver<ModelStreamInferResponse> responses,
            Faults faults, Executor executor) {
        this.service = service;
        this.sender = MoreExecutors.newSequentialExecutor(executor);
        this.responses = responses;
        this.faults = faults;
        // Told even after the client half-closed, when gRPC no longer calls onError: a client that sends its
        // requests and half-closes may still cancel them.
        ((ServerCallStreamObserver<ModelStreamInferResponse>) responses).setOnCancelHandler(this::clientGone);
    }

    @Override
    public void onNext(ModelInferRequest request) {
        if (faults.isUnavailable()) {
            // A server that went down takes its open streams with it.
            fail(Status.UNAVAILABLE.withDescription("emulated fault: unavailable"));
            return;
        }
        TritonEmulatorService.Parsed parsed;
        try {
            parsed = service.parse(request);
            if (parsed.prompts().size() != 1) {
                throw InferInputs.invalid("the emulator streams one prompt per request, got "
                        + parsed.prompts().size());
            }
            if (parsed.stream()[0] && !parsed.model().decoupled()) {
                throw InferInputs.invalid("Streaming is only supported if model is deployed using decoupled mode.");
            }
        } catch (StatusRuntimeException e) {
            send(ModelStreamInferResponse.newBuilder().setErrorMessage(e.getStatus().getDescription())
                    .setInferResponse(ModelInferResponse.newBuilder().setId(request.getId())
                            .setModelName(request.getModelName())).build());
            return;
        }
        boolean emptyFinal = request.getParametersOrDefault(EMPTY_FINAL, InferParameter.getDefaultInstance())
                .getBoolParam();
        Sequence[] sequence = new Sequence[1];
        if (parsed.stream()[0]) {
            EmulatedCompletion completion = parsed.completions().get(0);
            byte[] text = completion.text().getBytes(StandardCharsets.UTF_8);
            sequence[0] = service.submit(parsed, 0, generated -> sender.execute(() -> {
                if (faults.dropsStreamAt(generated)) {
                    fail(Status.UNAVAILABLE.withDescription("emulated fault: stream dropped"));
                    return;
                }
                boolean last = generated == completion.tokens();
                try {
                    send(chunk(request, parsed, slice(text, generated, completion.tokens()), last,
                            last && !emptyFinal));
                    if (last && emptyFinal) {
                        send(ModelStreamInferResponse.newBuilder().setInferResponse(
                                service.header(request, parsed.model()).putParameters(FINAL, flag(true))).build());
                    }
                } catch (RuntimeException e) {
                    // A client that went away mid-stream: its sequence frees its slot, as the engine would do.
                    sequence[0].cancel();
                }
            }));
        } else {
            sequence[0] = service.submit(parsed, 0, generated -> { });
        }
        pending.add(sequence[0]);
        // Through the sender too, so that a stream ends only after its last token went out.
        sequence[0].done().whenComplete((generation, failure) -> sender.execute(() -> {
            pending.remove(sequence[0]);
            if (failure == null) {
                service.counters(parsed.model().name()).succeeded(List.of(generation));
                if (!parsed.stream()[0]) {
                    send(ModelStreamInferResponse.newBuilder().setInferResponse(service.fullResponse(request, parsed)
                            .toBuilder().putParameters(FINAL, flag(true))).build());
                }
            }
            completeIfDone();
        }));
    }

    private ModelStreamInferResponse chunk(ModelInferRequest request, TritonEmulatorService.Parsed parsed, byte[] bytes,
            boolean last, boolean finalFlag) {
        ModelInferResponse.Builder response = service.header(request, parsed.model())
                .putParameters(FINAL, flag(finalFlag));
        for (String name : parsed.outputs()) {
            ByteString raw = switch (name) {
                case "text_output" -> bytesElement(bytes);
                case "finish_reason" -> last ? bytesElement(parsed.completions().get(0).finishReason()
                        .getBytes(StandardCharsets.UTF_8)) : bytesElement(new byte[0]);
                case "num_input_tokens" -> dev.sluice.backend.triton.TritonTensors.encodeInts(new int[] {0});
                default -> dev.sluice.backend.triton.TritonTensors.encodeInts(new int[] {1});
            };
            service.addOutput(response, parsed, name, raw);
        }
        return ModelStreamInferResponse.newBuilder().setInferResponse(response).build();
    }

    /** The bytes of token {@code n} of {@code count}: the text's UTF-8 cut into equal runs, across characters. */
    private static byte[] slice(byte[] text, int n, int count) {
        int from = (int) ((long) (n - 1) * text.length / count);
        int to = (int) ((long) n * text.length / count);
        return java.util.Arrays.copyOfRange(text, from, to);
    }

    private static ByteString bytesElement(byte[] bytes) {
        return ByteString.copyFrom(java.nio.ByteBuffer.allocate(4 + bytes.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).put(bytes).flip());
    }

    private static InferParameter flag(boolean value) {
        return InferParameter.newBuilder().setBoolParam(value).build();
    }

    @Override
    public void onError(Throwable t) {
        clientGone();
    }

    /**
     * The client went away (cancelled, or past its deadline): nothing more may be written, and its requests free
     * their slots, unless the fault of ignoring cancellation is on.
     */
    private synchronized void clientGone() {
        ended = true;
        pending.forEach(faults::abandon);
        pending.clear();
    }

    @Override
    public synchronized void onCompleted() {
        halfClosed = true;
        completeIfDone();
    }

    private synchronized void completeIfDone() {
        if (halfClosed && pending.isEmpty() && !ended) {
            ended = true;
            responses.onCompleted();
        }
    }

    private synchronized void send(ModelStreamInferResponse response) {
        if (!ended) {
            responses.onNext(response);
        }
    }

    private synchronized void fail(Status status) {
        if (!ended) {
            ended = true;
            responses.onError(status.asRuntimeException());
        }
        cancelAll();
    }

    private void cancelAll() {
        pending.forEach(Sequence::cancel);
        pending.clear();
    }
}
