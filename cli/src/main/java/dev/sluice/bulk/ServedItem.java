package dev.sluice.bulk;

import dev.sluice.schema.Completion;
import dev.sluice.schema.ToolCall;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A served item of a bulk run, its parts' completions taken together: the text is their answers in order, a blank
 * line between them; the licence terms are every part's model's, once each; the item stopped for length if any part
 * did.
 *
 * @param customId the item's own id in its input
 * @param requestId the first part's request id
 * @param models the models that served it, comma-separated
 * @param license the licences of those models, comma-separated
 * @param toolCalls the tool calls of a single-part item's answer (a split item is a text, never a tool call)
 */
public record ServedItem(String customId, String requestId, String text, String models, String license,
        List<String> obligations, String finishReason, int promptTokens, int completionTokens, int cachedTokens,
        int parts, List<ToolCall> toolCalls) {

    /** What joins the answers of an item's parts into its text. */
    public static final String PART_SEPARATOR = "\n\n";

    public static ServedItem of(Collection<Completion> parts) {
        Completion first = parts.iterator().next();
        return new ServedItem(first.getItemId(), first.getRequestId(),
                parts.stream().map(Completion::getText).collect(Collectors.joining(PART_SEPARATOR)),
                parts.stream().map(Completion::getModelId).distinct().collect(Collectors.joining(",")),
                parts.stream().map(Completion::getLicense).filter(Objects::nonNull).distinct()
                        .collect(Collectors.joining(",")),
                parts.stream().flatMap(part -> part.getObligations().stream()).distinct().toList(),
                parts.stream().anyMatch(p -> "length".equals(p.getFinishReason())) ? "length"
                        : first.getFinishReason(),
                parts.stream().mapToInt(Completion::getPromptTokens).sum(),
                parts.stream().mapToInt(Completion::getCompletionTokens).sum(),
                parts.stream().mapToInt(Completion::getCachedTokens).sum(),
                parts.size(),
                parts.size() == 1 && first.getToolCalls() != null ? List.copyOf(first.getToolCalls()) : List.of());
    }
}
