package dev.sluice.backend;

import java.util.Objects;

/**
 * One message of a conversation, for backends that apply the model's own chat template.
 *
 * @param role system, user, assistant or tool
 * @param content the message text
 */
public record ChatTurn(String role, String content) {

    public ChatTurn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
