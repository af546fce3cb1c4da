package dev.sluice.job;

import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.ToolCalls;
import dev.sluice.config.Price;
import dev.sluice.gateway.Gateway;
import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RouteExclusion;
import dev.sluice.schema.RouteExplanation;
import dev.sluice.serde.Truncation;
import java.time.Duration;
import java.util.List;

/** Builds the records of a finished request, timings in milliseconds since the pipeline accepted it. */
final class Outcomes {

    /**
     * Bounds of a completion's route explanation. Its texts quote request fields and inference servers' errors
     * (a failover's reason), and it lists every model of the catalog that was not chosen: without bounds, one
     * explanation could outgrow its completion's topic.
     */
    static final int MAX_BECAUSE_CHARS = 1_000;
    static final int MAX_EXCLUSION_CHARS = 256;
    static final int MAX_EXCLUSIONS = 64;

    private Outcomes() {}

    /**
     * Where a request went.
     *
     * @param modelId the catalog id, or {@code none}
     * @param backend the protocol, or {@code none}
     * @param endpoint host:port, or {@code none}
     * @param license the model's licence id, or null
     * @param obligations what the licence asks of whoever uses the answer
     * @param price the deployment's price, or null
     */
    record Target(String modelId, String backend, String endpoint, String license, List<String> obligations,
            Price price) {
        /** For requests that never reached a model. */
        static final Target NONE = new Target("none", "none", "none", null, List.of(), null);

        /** The same model, as served by the replica at {@code replicaEndpoint} over {@code protocol}. */
        Target servedBy(String protocol, String replicaEndpoint) {
            return new Target(modelId, protocol, replicaEndpoint, license, obligations, price);
        }
    }

    /**
     * When a request was accepted and sent, on the wall clock (for records) and the monotonic clock (for
     * durations).
     */
    record Clock(long acceptedAtMillis, long acceptedNanos, long sentNanos) {

        static Clock startingNow() {
            long now = System.nanoTime();
            return new Clock(System.currentTimeMillis(), now, now);
        }

        /** For a request whose start is known only as "this long ago", such as one that timed out. */
        static Clock startedAgo(Duration elapsed) {
            long start = System.nanoTime() - elapsed.toNanos();
            return new Clock(System.currentTimeMillis() - elapsed.toMillis(), start, start);
        }

        Clock sentAt(long nanos) {
            return new Clock(acceptedAtMillis, acceptedNanos, nanos);
        }

        long sinceAccepted(long nanos) {
            return (nanos - acceptedNanos) / 1_000_000;
        }
    }

    static InferenceOutcome completed(PromptRequest request, Target target, RouteExplanation explanation,
            Gateway.Answer answer, Clock clock, long finishedNanos) {
        GenerationResult result = answer.result();
        // The replica that answered, which in a mixed fleet may speak another protocol than the deployment's first.
        Target served = target.servedBy(answer.protocol(), answer.endpoint());
        long queued = clock.sinceAccepted(clock.sentNanos());
        long finished = clock.sinceAccepted(finishedNanos);
        // Streamed answers say when their first token came; a unary answer arrives whole.
        long firstToken = result.firstTokenAtNanos() > 0 ? clock.sinceAccepted(result.firstTokenAtNanos()) : finished;
        double gpuSeconds = Price.gpuSeconds(served.price(), finished - queued, answer.batchSize());
        Double cost = served.price() == null ? null
                : served.price().cost(result.promptTokens(), result.completionTokens(), gpuSeconds);
        Completion completion = Completion.newBuilder()
                .setRequestId(request.getRequestId())
                .setRunId(request.getRunId())
                .setItemIndex(request.getItemIndex())
                .setItemId(request.getItemId())
                .setChunkIndex(request.getChunkIndex())
                .setChunkCount(request.getChunkCount())
                .setTenant(request.getTenant())
                .setModelId(served.modelId())
                .setBackend(served.backend())
                .setEndpoint(served.endpoint())
                .setText(result.text())
                .setFinishReason(result.finishReason())
                .setPromptTokens(result.promptTokens())
                .setCompletionTokens(result.completionTokens())
                .setCachedTokens(result.cachedTokens())
                .setTimings(new CompletionTimings(clock.acceptedAtMillis(), queued, firstToken, finished))
                .setRoute(bounded(explanation))
                .setLicense(served.license())
                .setObligations(served.obligations())
                .setToolCalls(ToolCalls.of(request.getRequestId(),
                        request.getStructure() == null ? List.of() : request.getStructure().getTools(), result.text()))
                .setCost(cost)
                .build();
        double generationSeconds = Math.max(1, finished - queued) / 1000.0;
        InferenceMetric metric = metric(request, served, queued, firstToken, finished, "OK",
                clock.acceptedAtMillis() + finished)
                .setPromptTokens(result.promptTokens())
                .setCompletionTokens(result.completionTokens())
                .setCachedTokens(result.cachedTokens())
                .setOutputTokensPerSecond(result.completionTokens() / generationSeconds)
                .setInterTokenLatencyMs(interTokenLatency(result, finishedNanos))
                // The gateway's batch: for Triton one ModelInfer; for SGLang, requests sent to the server together.
                .setBatchSize(answer.batchSize())
                .setRetries(answer.retries())
                .setGpuSeconds(gpuSeconds)
                .setCost(cost)
                .build();
        return new InferenceOutcome(completion, null, metric);
    }

    /**
     * {@code explanation} within the bounds above: texts cut with the truncation marker, exclusions past
     * {@link #MAX_EXCLUSIONS} left out and counted at the end of {@code chosen_because}.
     */
    static RouteExplanation bounded(RouteExplanation explanation) {
        List<RouteExclusion> excluded = explanation.getExcluded();
        String because = Truncation.text(explanation.getChosenBecause(), MAX_BECAUSE_CHARS);
        if (excluded.size() > MAX_EXCLUSIONS) {
            because += " [" + (excluded.size() - MAX_EXCLUSIONS) + " more exclusions left out]";
        }
        return new RouteExplanation(because, excluded.stream().limit(MAX_EXCLUSIONS)
                .map(e -> new RouteExclusion(Truncation.text(e.getModelId(), MAX_EXCLUSION_CHARS),
                        Truncation.text(e.getReason(), MAX_EXCLUSION_CHARS)))
                .toList());
    }

    /**
     * The mean gap between a streamed answer's tokens after the first, as GenAI-Perf's inter-token latency averages
     * over a request; null for an answer that arrived whole or with one token.
     */
    private static Double interTokenLatency(GenerationResult result, long finishedNanos) {
        return result.firstTokenAtNanos() > 0 && result.completionTokens() > 1
                ? (finishedNanos - result.firstTokenAtNanos()) / 1e6 / (result.completionTokens() - 1) : null;
    }

    static InferenceOutcome rejected(
            PromptRequest request, Target target, RejectReason reason, String message, Clock clock, long nowNanos) {
        long elapsed = clock.sinceAccepted(nowNanos);
        long now = clock.acceptedAtMillis() + elapsed;
        InferenceMetric metric = metric(request, target, elapsed, elapsed, elapsed, reason.name(), now).build();
        return new InferenceOutcome(null, Rejects.forRequest(request, reason, message, now), metric);
    }

    private static InferenceMetric.Builder metric(PromptRequest request, Target target, long queued, long firstToken,
            long endToEnd, String outcome, long eventTime) {
        return InferenceMetric.newBuilder()
                .setRequestId(request.getRequestId())
                .setRunId(request.getRunId())
                .setTenant(request.getTenant())
                .setModelId(target.modelId())
                .setBackend(target.backend())
                .setEndpoint(target.endpoint())
                .setPriority(request.getPriority())
                .setQueueMs(queued)
                .setTimeToFirstTokenMs(firstToken)
                .setEndToEndMs(endToEnd)
                .setPromptTokens(0)
                .setCompletionTokens(0)
                .setOutputTokensPerSecond(0)
                .setBatchSize(0)
                .setOutcome(outcome)
                .setEventTime(eventTime)
                // A failed request used no tokens, and its time measures the failure: it is charged nothing.
                .setCost(target.price() == null ? null : 0.0);
    }
}
