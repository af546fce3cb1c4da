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
 */
public record BulkItem(int index, String customId, String text, List<ChatMessage> messages, Integer maxTokens) {

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
        messages = messages == null ? null : List.copyOf(messages);
    }

    public static BulkItem ofText(int index, String customId, String text, Integer maxTokens) {
        return new BulkItem(index, customId, text, null, maxTokens);
    }

    public static BulkItem ofMessages(int index, String customId, List<ChatMessage> messages, Integer maxTokens) {
        return new BulkItem(index, customId, null, messages, maxTokens);
    }

    public boolean isText() {
        return text != null;
    }
}
