package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** A deployment's price, and what a request costs at it. */
class PriceTest {

    @Test
    void byTokensARequestCostsItsPromptAndCompletionTokensAtTheirPrices() {
        Price price = Price.perMillionTokens(0.50, 1.50);

        assertThat(price.cost(2_000_000, 1_000_000, 99)).isCloseTo(1.00 + 1.50, within(1e-12));
        assertThat(price.cost(0, 0, 99)).isZero();
    }

    @Test
    void byGpuTimeARequestCostsItsShareOfTheBatchsGpuSeconds() {
        Price price = Price.perGpuHour(3.60, 4);
        // 2 s of service on 4 GPUs, shared by a batch of 8: a second of GPU time each.
        double gpuSeconds = Price.gpuSeconds(price, 2_000, 8);

        assertThat(gpuSeconds).isEqualTo(1.0);
        assertThat(price.cost(1_000_000, 1_000_000, gpuSeconds)).as("tokens do not count").isCloseTo(0.001,
                within(1e-12));
        assertThat(Price.gpuSeconds(null, 2_000, 1)).as("one GPU without a price").isEqualTo(2.0);
        assertThat(Price.gpuSeconds(price, -5, 0)).as("no negative time, no empty batch").isZero();
    }

    @Test
    void aPriceIsOneOfTheTwoFormsAndWithinReason() {
        assertThatThrownBy(() -> new Price(0.1, 0.2, 3.0, 1)).hasMessageContaining("or gpu-hour");
        assertThatThrownBy(() -> new Price(null, null, null, 1)).hasMessageContaining("or gpu-hour");
        assertThatThrownBy(() -> new Price(0.1, null, null, 1)).hasMessageContaining("go together");
        assertThatThrownBy(() -> Price.perMillionTokens(-1, 1)).hasMessageContaining("between 0 and a million");
        assertThatThrownBy(() -> Price.perGpuHour(Double.NaN, 1)).hasMessageContaining("between 0 and a million");
        assertThatThrownBy(() -> Price.perGpuHour(1, -2)).hasMessageContaining("gpus");
        assertThat(new Price(null, null, 2.0, 0).gpus()).as("gpus default to one").isEqualTo(1);
    }
}
