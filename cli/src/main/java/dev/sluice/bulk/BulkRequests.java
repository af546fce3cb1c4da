package dev.sluice.bulk;

import dev.sluice.bulk.BulkItem.Sampling;
import dev.sluice.prompt.PromptText;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RoutingHints;
import dev.sluice.schema.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns a bulk run's items into prompt requests: a text through the run's template, split into parts that each fit
 * the model's context; a conversation as it is.
 */
public final class BulkRequests {

    /** Room for what a backend wraps around a prompt, such as the turn markers of the model's chat template. */
    static final int SAFETY_MARGIN_TOKENS = 32;

    private BulkRequests() {}

    /**
     * What a run asks of every item.
     *
     * @param template the prompt template of text items; null sends each text as the prompt as it is
     * @param maxTokens the tokens each answer may have, unless an item sets its own
     * @param deadlineMillis epoch ms after which answers are useless, or null
     * @param contextTokens the chosen model's context window
     */
    public record RunSpec(String runId, String tenant, Task task, String sourceLang, String targetLang,
            PromptTemplate template, int maxTokens, Long deadlineMillis, int contextTokens) {

        public RunSpec {
            if (runId == null || runId.isBlank() || tenant == null || tenant.isBlank() || task == null) {
                throw new IllegalArgumentException("a run needs a run id, a tenant and a task");
            }
            if (task == Task.TRANSLATE && (targetLang == null || targetLang.isBlank())) {
                throw new IllegalArgumentException("a translation needs a target language");
            }
            if (maxTokens < 1 || contextTokens < 1) {
                throw new IllegalArgumentException("max tokens and context tokens must be positive, got "
                        + maxTokens + " and " + contextTokens);
            }
        }
    }

    /**
     * What a pass over a run's input found.
     *
     * @param items its items
     * @param requests the requests they became
     * @param digest the requests' {@link #digest}
     */
    record Scan(int items, int requests, String digest) {}

    /**
     * The requests of the items, in input order, the parts of an item in order.
     *
     * @throws InvalidInputException naming each text item whose parts cannot fit the model's context
     */
    public static List<PromptRequest> of(List<BulkItem> items, RunSpec spec) {
        long now = System.currentTimeMillis();
        Problems problems = new Problems();
        List<PromptRequest> requests = new ArrayList<>();
        for (BulkItem item : items) {
            requests.addAll(itemRequests(item, spec, now, problems));
        }
        problems.throwIfAny();
        return requests;
    }

    /**
     * Reads {@code input} from its start and calls {@code each} with the requests of its items as {@link #of} makes
     * them, holding one item's at a time. Every problem, of the input or of an item's requests, goes to
     * {@code problems}; {@code each} is called whatever they are, and whoever publishes must do so only after a pass
     * that found none.
     */
    static Scan scan(BulkInput input, RunSpec spec, Problems problems, Consumer<PromptRequest> each) {
        long now = System.currentTimeMillis();
        RequestDigest digest = new RequestDigest();
        int items = input.forEach(problems, item -> {
            for (PromptRequest request : itemRequests(item, spec, now, problems)) {
                digest.add(request);
                each.accept(request);
            }
        });
        return new Scan(items, digest.requests(), digest.hex());
    }

    private static List<PromptRequest> itemRequests(BulkItem item, RunSpec spec, long now, Problems problems) {
        int maxTokens = item.maxTokens() != null ? item.maxTokens() : spec.maxTokens();
        Sampling sampling = item.sampling();
        PromptRequest.Builder request = PromptRequest.newBuilder()
                .setRequestId(spec.runId() + "#" + item.index())
                .setTenant(spec.tenant())
                .setTask(spec.task())
                .setSourceLanguage(spec.sourceLang())
                .setTargetLanguage(spec.targetLang())
                .setParams(GenerationParams.newBuilder().setMaxTokens(maxTokens)
                        .setTemperature(sampling.temperature()).setTopP(sampling.topP()).setSeed(sampling.seed())
                        .setStop(sampling.stop()).build())
                .setHints(item.model() == null ? null
                        : RoutingHints.newBuilder().setPreferredModel(item.model()).build())
                .setPriority(Priority.BATCH)
                .setDeadline(spec.deadlineMillis())
                .setRunId(spec.runId())
                .setItemIndex((long) item.index())
                .setItemId(item.customId())
                .setCreatedAt(now);
        return item.isText() ? textRequests(item, spec, maxTokens, request, problems)
                : List.of(request.setMessages(item.messages()).build());
    }

    private static List<PromptRequest> textRequests(BulkItem item, RunSpec spec, int maxTokens,
            PromptRequest.Builder base, Problems problems) {
        List<String> prompts = TextParts.prompts(item, spec, maxTokens, problems);
        List<PromptRequest> requests = new ArrayList<>();
        for (int part = 0; part < prompts.size(); part++) {
            PromptRequest.Builder request = PromptRequest.newBuilder(base).setPrompt(prompts.get(part));
            if (prompts.size() > 1) {
                request.setRequestId(base.getRequestId() + "." + part)
                        .setChunkIndex(part)
                        .setChunkCount(prompts.size());
            }
            requests.add(request.build());
        }
        // The router's own measure: a template whose length jumps with the part number could still overshoot.
        for (PromptRequest request : requests) {
            int needed = PromptText.contextNeeded(request, maxTokens);
            if (needed > spec.contextTokens()) {
                problems.add(Problem.of(Problem.CONTEXT_EXCEEDED, TextParts.name(item) + ": request "
                        + request.getRequestId() + " needs " + needed + " tokens of context with its max tokens, more "
                        + "than the model's " + spec.contextTokens()));
            }
        }
        return requests;
    }

    /**
     * A hex SHA-256 of what the requests ask and of their ids, not of when they were made or their deadline: the
     * same input submitted again to the same run has the same digest ({@link RequestDigest}).
     */
    public static String digest(List<PromptRequest> requests) {
        RequestDigest digest = new RequestDigest();
        requests.forEach(digest::add);
        return digest.hex();
    }
}
