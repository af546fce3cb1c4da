package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link AdaptiveLimit}. */
class AdaptiveLimitTest {

    @Test
    void growsWhileTimePerTokenStaysNearItsBest() {
        AdaptiveLimit limit = new AdaptiveLimit(10, 2, 100);

        for (int i = 0; i < 20; i++) {
            limit.onSample(100_000_000, 100, 1, false);
        }
        assertThat(limit.limit()).isEqualTo(30);
        // A call of many requests grows it by as many, never more than doubling.
        limit.onSample(100_000_000, 100, 64, false);
        assertThat(limit.limit()).isEqualTo(60);
    }

    @Test
    void shrinksWhenRequestsQueueAndTimePerTokenClimbs() {
        AdaptiveLimit limit = new AdaptiveLimit(50, 2, 100);
        limit.onSample(100_000_000, 100, 1, false);

        for (int i = 0; i < 10; i++) {
            limit.onSample(500_000_000, 100, 1, false);
        }

        assertThat(limit.limit()).isLessThan(25).isGreaterThanOrEqualTo(2);
    }

    @Test
    void backsOffAtOnceWhenTheServerRefusesAndStaysWithinBounds() {
        AdaptiveLimit limit = new AdaptiveLimit(10, 8, 12);

        limit.onSample(1, 1, 1, true);
        limit.onSample(1, 1, 1, true);
        assertThat(limit.limit()).isEqualTo(8);
        for (int i = 0; i < 10; i++) {
            limit.onSample(1_000, 1, 1, false);
        }
        assertThat(limit.limit()).isEqualTo(12);
    }
}
