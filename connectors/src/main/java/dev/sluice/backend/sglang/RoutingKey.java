package dev.sluice.backend.sglang;

import dev.sluice.backend.ChatTurn;
import dev.sluice.backend.GenerationRequest;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The prefix a request shares with others, as a short key: its system message when it has one, else the first
 * {@value #PREFIX_CHARS} characters of its prompt. Equal prefixes give equal keys, so they meet the same cache.
 */
final class RoutingKey {

    static final int PREFIX_CHARS = 256;

    private RoutingKey() {}

    static String of(GenerationRequest request) {
        String prefix = request.messages().stream()
                .filter(turn -> turn.role().equals("system"))
                .map(ChatTurn::content)
                .findFirst()
                .orElse(request.prompt().substring(0, Math.min(PREFIX_CHARS, request.prompt().length())));
        CRC32C crc = new CRC32C();
        crc.update(prefix.getBytes(StandardCharsets.UTF_8));
        return "prefix-" + Long.toHexString(crc.getValue());
    }
}
