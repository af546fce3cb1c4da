package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Tests for {@link ModelHealth}: what routing learns of each model's servers, per model and endpoint. */
class ModelHealthTest {

    @Test
    void aWatchedModelReportsItsServersStateContextAndTokenCounts() {
        ModelHealth health = new ModelHealth();
        AtomicBoolean available = new AtomicBoolean(true);

        health.watch("m", "h:1", available::get, () -> OptionalInt.of(4096),
                text -> OptionalInt.of(text.split(" ").length));
        available.set(false);

        assertThat(health.isDown("m", "h:1")).isTrue();
        assertThat(health.servedContext("m", "h:1")).hasValue(4096);
        assertThat(health.promptTokens("m", "h:1", "three little words")).hasValue(3);
    }

    @Test
    void anUnwatchedModelOrAnotherEndpointKnowsNothing() {
        ModelHealth health = new ModelHealth();
        health.watch("m", "h:1", () -> false, () -> OptionalInt.of(4096), text -> OptionalInt.of(1));

        assertThat(health.isDown("m", "h:2")).isFalse();
        assertThat(health.servedContext("m", "h:2")).isEmpty();
        assertThat(health.promptTokens("other", "h:1", "text")).isEmpty();
    }

    @Test
    void fiveRetryableFailuresInARowTakeAModelDownAndASuccessResetsTheCount() {
        ModelHealth health = new ModelHealth();
        for (int i = 0; i < ModelHealth.FAILURES_TO_DOWN - 1; i++) {
            health.started("m", "h:1");
            health.finished("m", "h:1", false, true);
        }
        health.started("m", "h:1");
        health.finished("m", "h:1", true, false);
        assertThat(health.isDown("m", "h:1")).isFalse();

        for (int i = 0; i < ModelHealth.FAILURES_TO_DOWN; i++) {
            health.started("m", "h:1");
            health.finished("m", "h:1", false, true);
        }
        assertThat(health.isDown("m", "h:1")).isTrue();
        assertThat(health.inFlight("m", "h:1")).isZero();
    }
}
