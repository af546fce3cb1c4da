package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link TokenEstimate}. */
class TokenEstimateTest {

    @Test
    void maxBytesIsTheLongestTextThatStaysWithinTheTokens() {
        for (int tokens : new int[] {1, 7, 1000}) {
            int bytes = (int) TokenEstimate.maxBytes(tokens);

            assertThat(TokenEstimate.of("a".repeat(bytes))).isEqualTo(tokens);
            assertThat(TokenEstimate.of("a".repeat(bytes + 1))).isEqualTo(tokens + 1);
        }
    }

    @Test
    void maxBytesDoesNotOverflowForTheLargestBudget() {
        assertThat(TokenEstimate.maxBytes(Integer.MAX_VALUE)).isPositive();
    }
}
