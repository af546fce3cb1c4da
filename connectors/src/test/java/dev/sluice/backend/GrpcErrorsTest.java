package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tests for {@link GrpcErrors}. */
class GrpcErrorsTest {

    @ParameterizedTest
    @EnumSource(Status.Code.class)
    void onlyTransientCodesAreRetryable(Status.Code code) {
        boolean transientFailure = code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED
                || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.ABORTED;

        BackendException classified = GrpcErrors.classify("host:1",
                Status.fromCode(code).withDescription("why").asRuntimeException());

        assertThat(classified.isRetryable()).isEqualTo(transientFailure);
        assertThat(classified.getMessage()).isEqualTo("host:1: " + code + " why");
    }
}
