package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tests for {@link RejectCauses}. */
class RejectCausesTest {

    @ParameterizedTest
    @EnumSource(value = RejectReason.class, names = {"BACKEND_FAILED", "DEADLINE_EXCEEDED"})
    void rejectsForServerHealthAreRetried(RejectReason reason) {
        assertThat(RejectCauses.isRetryable(reason)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = RejectReason.class, mode = EnumSource.Mode.EXCLUDE,
            names = {"BACKEND_FAILED", "DEADLINE_EXCEEDED"})
    void validationPolicyCancelAndDuplicateRejectsAreNever(RejectReason reason) {
        assertThat(RejectCauses.isRetryable(reason)).isFalse();
    }

    @Test
    void aRejectWithoutAReasonIsNotRetried() {
        assertThat(RejectCauses.isRetryable(null)).isFalse();
    }
}
