package dev.sluice.backend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.backend.BackendException;
import dev.sluice.serde.Truncation;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one place that decides which HTTP answers are worth a retry, as {@code GrpcErrors} does for gRPC: overload,
 * unavailability and timeouts pass; a bad request, a missing model or refused credentials repeat.
 */
final class HttpErrors {

    /** The most of the server's message a failure quotes. */
    private static final int MESSAGE_CHARS = 300;
    /** The longest {@code Retry-After} honoured: a server asking for more is asked again after this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private HttpErrors() {}

    /**
     * The failure an answer with {@code status} means, quoting the server's message from {@code body} (OpenAI's
     * {@code {"error": {"message"}}}, TGI's flat {@code {"error": "..."}}, or the text itself).
     */
    static BackendException classify(String endpoint, int status, HttpHeaders headers, String body) {
        String message = endpoint + ": HTTP " + status + serverMessage(body).map(m -> " " + m).orElse("");
        if (status == 429 || status == 503) {
            Optional<Duration> wait = retryAfter(headers);
            if (wait.isPresent()) {
                return BackendException.retryAfter(message + " (retry after " + wait.get().toSeconds() + " s)",
                        wait.get());
            }
        }
        return isRetryable(status) ? BackendException.retryable(message, null)
                : BackendException.permanent(message, null);
    }

    /** Timeouts, conflicts of a server starting, overload and the 5xx family pass; other 4xx repeat. */
    static boolean isRetryable(int status) {
        return status == 408 || status == 425 || status == 429 || status >= 500;
    }

    /** {@code Retry-After} as delta-seconds or an HTTP-date, at most {@link #MAX_RETRY_AFTER}; empty if absent. */
    static Optional<Duration> retryAfter(HttpHeaders headers) {
        Optional<String> value = headers.firstValue("retry-after").map(String::strip);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(value.get()));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException neither) {
                return Optional.empty();
            }
        }
        if (wait.isNegative()) {
            return Optional.of(Duration.ZERO);
        }
        return Optional.of(wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
    }

    private static Optional<String> serverMessage(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        Optional<JsonNode> json = OpenAiJson.tryParse(body);
        String message = json.map(node -> node.path("error").isObject()
                        ? node.path("error").path("message").asText(body) : node.path("error").asText(body))
                .orElse(body);
        return Optional.of(Truncation.text(message.strip(), MESSAGE_CHARS));
    }
}
