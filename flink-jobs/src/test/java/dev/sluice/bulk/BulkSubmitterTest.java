package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link BulkSubmitter}. */
class BulkSubmitterTest {

    @Test
    void anOpenAiBatchIdIsARunIdButTheItemAndAttemptSeparatorsAreNot() {
        assertThat(BulkSubmitter.RUN_ID.matcher("batch_69a1f0c2e8d4").matches()).isTrue();
        assertThat(BulkSubmitter.RUN_ID.matcher("run-1.2:3").matches()).isTrue();
        assertThat(BulkSubmitter.RUN_ID.matcher("_leading").matches()).isFalse();
        assertThat(BulkSubmitter.RUN_ID.matcher("run#1").matches()).isFalse();
        assertThat(BulkSubmitter.RUN_ID.matcher("run~1").matches()).isFalse();
    }
}
