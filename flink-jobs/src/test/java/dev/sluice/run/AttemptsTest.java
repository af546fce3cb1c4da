package dev.sluice.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Tests for {@link Attempts}. */
class AttemptsTest {

    @Test
    void theFirstAttemptKeepsTheRequestIdAndLaterOnesAppendTheirNumber() {
        assertThat(Attempts.requestId("nightly#7", 0)).isEqualTo("nightly#7");
        assertThat(Attempts.requestId("nightly#7", 1)).isEqualTo("nightly#7~1");
        assertThat(Attempts.requestId("nightly#7.2", 3)).isEqualTo("nightly#7.2~3");
    }

    @Test
    void theAttemptIsReadBackFromAnyAttemptsId() {
        assertThat(Attempts.of("nightly#7")).isZero();
        assertThat(Attempts.of(Attempts.requestId("nightly#7", 12))).isEqualTo(12);
        assertThat(Attempts.of(Attempts.requestId("run-2026.11:27#7.2", 2))).isEqualTo(2);
    }

    @Test
    void idsOfNoAttemptReadAsTheFirst() {
        assertThat(Attempts.of(null)).isZero();
        assertThat(Attempts.of("someone's own id~x")).isZero();
        assertThat(Attempts.of("trailing~")).isZero();
    }

    @Test
    void everyAttemptHasAnIdOfItsOwn() {
        assertThat(IntStream.range(0, 50).mapToObj(n -> Attempts.requestId("r#1", n)))
                .doesNotHaveDuplicates();
    }

    @Test
    void onlyAFirstAttemptsIdIsRetriedAndAttemptsAreNotNegative() {
        assertThatThrownBy(() -> Attempts.requestId("r#1~1", 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a first attempt's request id: r#1~1");
        assertThatThrownBy(() -> Attempts.requestId("r#1", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an attempt is 0 or more, got -1");
    }
}
