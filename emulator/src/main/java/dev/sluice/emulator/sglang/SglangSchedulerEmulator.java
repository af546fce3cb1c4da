package dev.sluice.emulator.sglang;

import com.google.protobuf.ByteString;
import dev.sluice.backend.tokenizer.ModelTokenizer;
import dev.sluice.emulator.EmulatedCompletion;
import dev.sluice.emulator.EmulatedModel;
import dev.sluice.emulator.Faults;
import dev.sluice.emulator.InflightBatchingEngine.Sequence;
import dev.sluice.proto.sglang.common.GetTokenizerChunk;
import dev.sluice.proto.sglang.common.GetTokenizerRequest;
import dev.sluice.proto.sglang.scheduler.AbortRequest;
import dev.sluice.proto.sglang.scheduler.AbortResponse;
import dev.sluice.proto.sglang.scheduler.AggregateMetrics;
import dev.sluice.proto.sglang.scheduler.GenerateComplete;
import dev.sluice.proto.sglang.scheduler.GenerateRequest;
import dev.sluice.proto.sglang.scheduler.GenerateResponse;
import dev.sluice.proto.sglang.scheduler.GenerateStreamChunk;
import dev.sluice.proto.sglang.scheduler.GetLoadsRequest;
import dev.sluice.proto.sglang.scheduler.GetLoadsResponse;
import dev.sluice.proto.sglang.scheduler.GetModelInfoRequest;
import dev.sluice.proto.sglang.scheduler.GetModelInfoResponse;
import dev.sluice.proto.sglang.scheduler.HealthCheckRequest;
import dev.sluice.proto.sglang.scheduler.HealthCheckResponse;
import dev.sluice.proto.sglang.scheduler.SamplingParams;
import dev.sluice.proto.sglang.scheduler.SchedulerLoad;
import dev.sluice.proto.sglang.scheduler.SglangSchedulerGrpc;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An SGLang worker in {@code --smg-grpc-mode}: token ids in, token ids out. Checks sampling parameters as
 * SGLang does, so a client that leaves proto3's zeros in place is told. Streams a chunk per step and then a
 * {@code complete}; counts prompt tokens found in its radix cache as cached.
 */
public final class SglangSchedulerEmulator extends SglangSchedulerGrpc.SglangSchedulerImplBase {

    /** SGLang's own default when max_new_tokens is unset. */
    private static final int DEFAULT_MAX_NEW_TOKENS = 128;
    private static final int CHUNK_BYTES = 4096;

    private final EmulatedModel model;
    private final ModelTokenizer tokenizer;
    private final Faults faults;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final long startedNanos = System.nanoTime();

    public SglangSchedulerEmulator(EmulatedModel model, ModelTokenizer tokenizer, Faults faults) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.faults = faults;
    }

    private record Running(Sequence sequence, EmulatedCompletion completion, int promptTokens, int cachedTokens,
            StreamObserver<GenerateResponse> out) {}

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
        if (!request.hasTokenized() || request.getTokenized().getInputIdsCount() == 0) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("Tokenized input must be provided").asRuntimeException());
            return;
        }
        String invalid = checkSampling(request.getSamplingParams());
        if (invalid != null) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(invalid).asRuntimeException());
            return;
        }
        int[] promptIds = request.getTokenized().getInputIdsList().stream().mapToInt(Integer::intValue).toArray();
        SamplingParams sampling = request.getSamplingParams();
        int maxNew = sampling.hasMaxNewTokens() ? sampling.getMaxNewTokens() : DEFAULT_MAX_NEW_TOKENS;
        EmulatedCompletion completion;
        try {
            completion = EmulatedCompletion.of(tokenizer, tokenizer.decode(promptIds, false), maxNew,
                    sampling.getConstraintCase() == SamplingParams.ConstraintCase.JSON_SCHEMA
                            ? sampling.getJsonSchema() : null);
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("invalid json_schema: " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        int cached = model.prefixCache().lookupAndInsert(promptIds);
        String id = request.getRequestId();
        Sequence sequence = model.engine().submit(promptIds.length, cached, completion.tokens(), generated -> {
            if (faults.dropsStreamAt(generated)) {
                abortRunning(id, Status.UNAVAILABLE.withDescription("emulated fault: stream dropped"));
            } else if (request.getStream()) {
                send(out, GenerateResponse.newBuilder().setRequestId(id).setChunk(GenerateStreamChunk.newBuilder()
                        .addTokenIds(completion.outputIds()[generated - 1])
                        .setPromptTokens(promptIds.length).setCompletionTokens(generated)
                        .setCachedTokens(cached)).build());
            }
        });
        Running entry = new Running(sequence, completion, promptIds.length, cached, out);
        running.put(id, entry);
        ((ServerCallStreamObserver<GenerateResponse>) out).setOnCancelHandler(() -> {
            running.remove(id);
            faults.abandon(sequence);
        });
        sequence.done().whenComplete((generation, failure) -> {
            if (failure == null && running.remove(id) != null) {
                send(out, complete(id, entry, completion.outputIds().length, completion.finishReason()));
                synchronized (out) {
                    out.onCompleted();
                }
            }
        });
    }

    /** SGLang's SamplingParams.verify: the checks a zero-filled proto3 message fails. */
    private static String checkSampling(SamplingParams sampling) {
        if (sampling.getTemperature() < 0) {
            return "temperature must be non-negative, got " + sampling.getTemperature();
        }
        if (!(sampling.getTopP() > 0 && sampling.getTopP() <= 1)) {
            return "top_p must be in (0, 1], got " + sampling.getTopP();
        }
        if (sampling.getTopK() < -1 || sampling.getTopK() == 0) {
            return "top_k must be -1 (disable), or at least 1, got " + sampling.getTopK();
        }
        if (sampling.getRepetitionPenalty() <= 0 || sampling.getRepetitionPenalty() > 2) {
            return "repetition_penalty must be in (0, 2], got " + sampling.getRepetitionPenalty();
        }
        return null;
    }

    @Override
    public void abort(AbortRequest request, StreamObserver<AbortResponse> out) {
        boolean found = abortRunning(request.getRequestId(), null);
        out.onNext(AbortResponse.newBuilder().setSuccess(found)
                .setMessage(found ? "" : "no running request " + request.getRequestId()).build());
        out.onCompleted();
    }

    /** Ends a running request: with {@code status}, or with finish reason "abort" when null. */
    private boolean abortRunning(String id, Status status) {
        Running entry = running.remove(id);
        if (entry == null) {
            return false;
        }
        entry.sequence.cancel();
        synchronized (entry.out) {
            if (status != null) {
                entry.out.onError(status.asRuntimeException());
            } else {
                entry.out.onNext(complete(id, entry, 0, "abort"));
                entry.out.onCompleted();
            }
        }
        return true;
    }

    private static GenerateResponse complete(String id, Running entry, int tokens, String finishReason) {
        GenerateComplete.Builder complete = GenerateComplete.newBuilder()
                .setFinishReason(finishReason)
                .setPromptTokens(entry.promptTokens)
                .setCompletionTokens(tokens)
                .setCachedTokens(entry.cachedTokens);
        for (int i = 0; i < tokens; i++) {
            complete.addOutputIds(entry.completion.outputIds()[i]);
        }
        return GenerateResponse.newBuilder().setRequestId(id).setComplete(complete).build();
    }

    private static void send(StreamObserver<GenerateResponse> out, GenerateResponse response) {
        synchronized (out) {
            out.onNext(response);
        }
    }

    @Override
    public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
        out.onNext(HealthCheckResponse.newBuilder().setHealthy(true).setMessage("ok").build());
        out.onCompleted();
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<GetModelInfoResponse> out) {
        out.onNext(GetModelInfoResponse.newBuilder()
                .setModelPath(model.name())
                .setTokenizerPath(model.name())
                .setServedModelName(model.name())
                .setIsGeneration(true)
                .setMaxContextLength(32768)
                .setMaxReqInputLen(32000)
                .setVocabSize(tokenizer.encode("<|endoftext|>")[0] + 3)
                .addEosTokenIds(tokenizer.encode("<|im_end|>")[0])
                .setModelType("qwen2")
                .addArchitectures("Qwen2ForCausalLM")
                .setDefaultSamplingParamsJson("{\"temperature\": 0.7, \"top_p\": 0.8, \"top_k\": 20}")
                .build());
        out.onCompleted();
    }

    @Override
    public void getLoads(GetLoadsRequest request, StreamObserver<GetLoadsResponse> out) {
        EmulatedLoad load = EmulatedLoad.of(model, startedNanos);
        out.onNext(GetLoadsResponse.newBuilder()
                .setTimestamp(Instant.now().toString())
                .setVersion("emulator")
                .setDpRankCount(1)
                .addLoads(SchedulerLoad.newBuilder()
                        .setNumRunningReqs(load.running()).setNumWaitingReqs(load.waiting())
                        .setNumTotalReqs(load.running() + load.waiting())
                        .setNumUsedTokens(load.usedTokens()).setMaxTotalNumTokens(load.maxTokens())
                        .setTokenUsage(load.tokenUsage()).setGenThroughput(load.throughput())
                        .setCacheHitRate(load.cacheHitRate()).setUtilization(load.utilization())
                        .setMaxRunningRequests(load.maxRunning()))
                .setAggregate(AggregateMetrics.newBuilder()
                        .setTotalRunningReqs(load.running()).setTotalWaitingReqs(load.waiting())
                        .setTotalReqs(load.running() + load.waiting()).setAvgTokenUsage(load.tokenUsage())
                        .setAvgThroughput(load.throughput()).setAvgUtilization(load.utilization()))
                .build());
        out.onCompleted();
    }

    @Override
    public void getTokenizer(GetTokenizerRequest request, StreamObserver<GetTokenizerChunk> out) {
        byte[] archive = ModelTokenizer.bundledArchive();
        for (int from = 0; from < archive.length; from += CHUNK_BYTES) {
            int to = Math.min(archive.length, from + CHUNK_BYTES);
            GetTokenizerChunk.Builder chunk = GetTokenizerChunk.newBuilder()
                    .setData(ByteString.copyFrom(archive, from, to - from));
            if (to == archive.length) {
                chunk.setSha256(sha256(archive));
            }
            out.onNext(chunk.build());
        }
        out.onCompleted();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
