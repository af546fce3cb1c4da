package dev.sluice.job;

import dev.sluice.backend.GenerationResult;
import dev.sluice.backend.InferenceBackend;
import dev.sluice.schema.Completion;
import dev.sluice.schema.CompletionTimings;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RejectReason;
import dev.sluice.routing.Route;

/** Builds the records of a finished request, timings in milliseconds since the pipeline accepted it. */
final class Outcomes {

    /** Stands for the model in metrics of requests that never reached one. */
    static final String NO_MODEL = "none";

    private Outcomes() {}

    /**
     * When a request was accepted and sent, on the wall clock (for records) and the monotonic clock (for
     * durations).
     */
    record Clock(long acceptedAtMillis, long acceptedNanos, long sentNanos) {
        /** For a request whose start is known only as "this long ago", such as one that timed out. */
        static Clock startedAgo(java.time.Duration elapsed) {
            long start = System.nanoTime() - elapsed.toNanos();
            return new Clock(System.currentTimeMillis() - elapsed.toMillis(), start, start);
        }

        long sinceAccepted(long nanos) {
            return (nanos - acceptedNanos) / 1_000_000;
        }
    }

    static InferenceOutcome completed(
            PromptRequest request, Route route, InferenceBackend backend, GenerationResult result, Clock clock,
            long finishedNanos) {
        long queued = clock.sinceAccepted(clock.sentNanos());
        long finished = clock.sinceAccepted(finishedNanos);
        // Streamed answers say when their first token came; a unary answer arrives whole.
        long firstToken = result.firstTokenAtNanos() > 0 ? clock.sinceAccepted(result.firstTokenAtNanos()) : finished;
        Completion completion = Completion.newBuilder()
                .setRequestId(request.getRequestId())
                .setRunId(request.getRunId())
                .setItemIndex(request.getItemIndex())
                .setTenant(request.getTenant())
                .setModelId(route.model().id())
                .setBackend(backend.protocol())
                .setEndpoint(backend.endpoint())
                .setText(result.text())
                .setFinishReason(result.finishReason())
                .setPromptTokens(result.promptTokens())
                .setCompletionTokens(result.completionTokens())
                .setCachedTokens(result.cachedTokens())
                .setTimings(new CompletionTimings(clock.acceptedAtMillis(), queued, firstToken, finished))
                .setRoute(route.explanation())
                .build();
        double generationSeconds = Math.max(1, finished - queued) / 1000.0;
        InferenceMetric metric = metric(request, route.model().id(), backend.protocol(), backend.endpoint(), queued,
                firstToken, finished, "OK", clock.acceptedAtMillis() + finished)
                .setPromptTokens(result.promptTokens())
                .setCompletionTokens(result.completionTokens())
                .setCachedTokens(result.cachedTokens())
                .setOutputTokensPerSecond(result.completionTokens() / generationSeconds)
                .setBatchSize(result.batchSize())
                .build();
        return new InferenceOutcome(completion, null, metric);
    }

    static InferenceOutcome rejected(
            PromptRequest request, Route route, RejectReason reason, String message, Clock clock, long nowNanos) {
        long elapsed = clock.sinceAccepted(nowNanos);
        long now = clock.acceptedAtMillis() + elapsed;
        String model = route == null ? NO_MODEL : route.model().id();
        String backend = route == null ? NO_MODEL : route.model().backend();
        String endpoint = route == null ? NO_MODEL : route.model().endpoint();
        InferenceMetric metric = metric(request, model, backend, endpoint, elapsed, elapsed, elapsed, reason.name(),
                now).build();
        return new InferenceOutcome(null, Rejects.forRequest(request, reason, message, now), metric);
    }

    private static InferenceMetric.Builder metric(PromptRequest request, String model, String backend,
            String endpoint, long queued, long firstToken, long endToEnd, String outcome, long eventTime) {
        return InferenceMetric.newBuilder()
                .setRequestId(request.getRequestId())
                .setRunId(request.getRunId())
                .setTenant(request.getTenant())
                .setModelId(model)
                .setBackend(backend)
                .setEndpoint(endpoint)
                .setPriority(request.getPriority())
                .setQueueMs(queued)
                .setTimeToFirstTokenMs(firstToken)
                .setEndToEndMs(endToEnd)
                .setPromptTokens(0)
                .setCompletionTokens(0)
                .setOutputTokensPerSecond(0)
                .setBatchSize(0)
                .setOutcome(outcome)
                .setEventTime(eventTime);
    }
}
