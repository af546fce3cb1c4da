package dev.sluice.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.BackendException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link HttpErrors}. */
class HttpErrorsTest {

    @Test
    void overloadAndUnavailabilityPassAndSayWhenToComeBack() {
        BackendException overloaded = HttpErrors.classify("h:1", 429, headers("Retry-After", "3"),
                "{\"error\":{\"message\":\"too many requests\",\"type\":\"rate_limit\",\"code\":429}}");
        BackendException starting = HttpErrors.classify("h:1", 503, headers(), "{\"error\":\"unhealthy\"}");

        assertThat(overloaded.isRetryable()).isTrue();
        assertThat(overloaded.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(overloaded.getMessage()).contains("HTTP 429 too many requests");
        assertThat(starting.isRetryable()).isTrue();
        assertThat(starting.retryAfter()).isEmpty();
        assertThat(starting.getMessage()).contains("unhealthy");
    }

    @Test
    void badRequestsAndRefusedCredentialsRepeat() {
        for (int status : new int[] {400, 401, 403, 404, 422}) {
            assertThat(HttpErrors.classify("h:1", status, headers(), "nope").isRetryable()).as("%d", status).isFalse();
        }
        for (int status : new int[] {408, 500, 502, 504}) {
            assertThat(HttpErrors.classify("h:1", status, headers(), "").isRetryable()).as("%d", status).isTrue();
        }
    }

    @Test
    void retryAfterIsReadAsSecondsOrADateAndCapped() {
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));

        assertThat(HttpErrors.retryAfter(headers("retry-after", inTenSeconds)).orElseThrow())
                .isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
        assertThat(HttpErrors.retryAfter(headers("retry-after", "86400"))).contains(HttpErrors.MAX_RETRY_AFTER);
        assertThat(HttpErrors.retryAfter(headers("retry-after", "soon"))).isEmpty();
        assertThat(HttpErrors.retryAfter(headers())).isEmpty();
    }

    @Test
    void aHostileMessageIsQuotedShort() {
        String huge = "x".repeat(100_000);

        assertThat(HttpErrors.classify("h:1", 500, headers(), huge).getMessage()).hasSizeLessThan(400);
    }

    private static HttpHeaders headers(String... nameValue) {
        return HttpHeaders.of(nameValue.length == 0 ? Map.of() : Map.of(nameValue[0], List.of(nameValue[1])),
                (a, b) -> true);
    }
}
