package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schema.RouteExclusion;
import dev.sluice.schema.RouteExplanation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Outcomes}. */
class OutcomesTest {

    @Test
    void aHugeRouteExplanationIsBoundedWithMarkers() {
        List<RouteExclusion> excluded = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            excluded.add(new RouteExclusion("model-" + i, "failover: " + "e".repeat(100_000)));
        }

        RouteExplanation bounded = Outcomes.bounded(new RouteExplanation("b".repeat(500_000), excluded));

        assertThat(bounded.getChosenBecause()).startsWith("b".repeat(Outcomes.MAX_BECAUSE_CHARS) + "… [truncated ")
                .endsWith(" [" + (1_000 - Outcomes.MAX_EXCLUSIONS) + " more exclusions left out]");
        assertThat(bounded.getExcluded()).hasSize(Outcomes.MAX_EXCLUSIONS).allSatisfy(e -> {
            assertThat(e.getModelId()).startsWith("model-");
            assertThat(e.getReason()).startsWith("failover: eee").contains("… [truncated ")
                    .hasSizeLessThan(Outcomes.MAX_EXCLUSION_CHARS + 40);
        });
    }

    @Test
    void aSmallRouteExplanationIsKeptAsItIs() {
        RouteExplanation explanation = new RouteExplanation("eligible under the tenant's policy",
                List.of(new RouteExclusion("other", "ranked lower")));

        assertThat(Outcomes.bounded(explanation)).isEqualTo(explanation);
    }
}
