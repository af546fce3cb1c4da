package dev.sluice.bulk;

import dev.sluice.schema.ChatMessage;
import java.util.List;

/**
 * One item of a bulk input: a text to run through the prompt template, or a conversation sent as it is.
 *
 * @param index the item's position in the input, from 0
 * @param customId the item's own id in its input: a custom_id, a CSV id cell, a file name
 * @param text the text, not blank; null for a conversation
 * @param messages the conversation, not empty; null for a text
 * @param maxTokens the item's own max_tokens, or null for the run's
 * @param model the model the item prefers (an OpenAI batch line's {@code body.model}), or null: a preference among
 *     the models the tenant's policy allows, never one more
 * @param sampling the item's own sampling settings
 */
public record BulkItem(int index, String customId, String text, List<ChatMessage> messages, Integer maxTokens,
        String model, Sampling sampling) {

    /**
     * An item's sampling settings, as an OpenAI request body gives them; each null (or no stops) leaves the
     * pipeline's default. Their ranges are the intake's to check, as for any request.
     */
    public record Sampling(Float temperature, Float topP, Long seed, List<String> stop) {

        public static final Sampling DEFAULT = new Sampling(null, null, null, List.of());

        public Sampling {
            stop = stop == null ? List.of() : List.copyOf(stop);
        }
    }

    public BulkItem {
        if (index < 0) {
            throw new IllegalArgumentException("index must be 0 or more, got " + index);
        }
        if (customId == null || customId.isBlank()) {
            throw new IllegalArgumentException("an item needs a custom id");
        }
        if ((text == null) == (messages == null)) {
            throw new IllegalArgumentException("item " + customId + " needs exactly one of text and messages");
        }
        if (text != null && text.isBlank()) {
            throw new IllegalArgumentException("item " + customId + " has a blank text");
        }
        if (messages != null && messages.isEmpty()) {
            throw new IllegalArgumentException("item " + customId + " has no messages");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("item " + customId + " has max_tokens " + maxTokens);
        }
        if (model != null && model.isBlank()) {
            throw new IllegalArgumentException("item " + customId + " has a blank model");
        }
        messages = messages == null ? null : List.copyOf(messages);
        sampling = sampling == null ? Sampling.DEFAULT : sampling;
    }

    public static BulkItem ofText(int index, String customId, String text, Integer maxTokens) {
        return new BulkItem(index, customId, text, null, maxTokens, null, Sampling.DEFAULT);
    }

    public static BulkItem ofMessages(int index, String customId, List<ChatMessage> messages, Integer maxTokens) {
        return new BulkItem(index, customId, null, messages, maxTokens, null, Sampling.DEFAULT);
    }

    public boolean isText() {
        return text != null;
    }
}
