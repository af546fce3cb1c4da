package dev.sluice.bulk;

import dev.sluice.backend.TokenEstimate;
import dev.sluice.bulk.BulkRequests.RunSpec;
import dev.sluice.schema.Task;
import java.util.ArrayList;
import java.util.List;

/** The prompts of a text item: one a part, the parts made small enough for each prompt to fit the context. */
final class TextParts {

    private TextParts() {}

    /** The prompts, or none when the item leaves no room for text, a problem then added. */
    static List<String> prompts(BulkItem item, RunSpec spec, int maxTokens, Problems problems) {
        String text = item.text();
        int wholeBudget = budget(item, spec, maxTokens, 1);
        List<String> parts;
        if (wholeBudget >= 1 && TokenEstimate.of(text) <= wholeBudget) {
            parts = List.of(text);
        } else {
            // The text's length in chars bounds the number of parts, and so the digits of any part number.
            int budget = budget(item, spec, maxTokens, text.length());
            if (budget < 1) {
                problems.add(Problem.of(Problem.CONTEXT_EXCEEDED, name(item) + ": max tokens " + maxTokens
                        + (spec.template() == null ? "" : " and template " + spec.template().name())
                        + " leave no room for text in the model's context of " + spec.contextTokens() + " tokens"));
                return List.of();
            }
            // A stretch of whitespace longer than a part would be a part with nothing to ask.
            parts = Chunker.split(text, budget).stream().filter(part -> !part.isBlank()).toList();
        }
        List<String> prompts = new ArrayList<>();
        for (int part = 0; part < parts.size(); part++) {
            prompts.add(spec.template() == null ? parts.get(part) : spec.template().render(parts.get(part).strip(),
                    item.customId(), spec.sourceLang(), spec.targetLang(), part + 1, parts.size()));
        }
        return prompts;
    }

    static String name(BulkItem item) {
        return "item " + item.index() + " '" + item.customId() + "'";
    }

    /** The most tokens of text one of {@code parts} parts may have. */
    private static int budget(BulkItem item, RunSpec spec, int maxTokens, int parts) {
        int promptTokens = spec.contextTokens() - maxTokens - BulkRequests.SAFETY_MARGIN_TOKENS;
        int budget = spec.template() == null ? promptTokens : spec.template().textBudget(promptTokens,
                item.customId(), spec.sourceLang(), spec.targetLang(), parts);
        // A translation is about as long as its source, and the answer must fit max tokens or be cut off.
        return spec.task() == Task.TRANSLATE ? Math.min(budget, maxTokens) : budget;
    }
}
