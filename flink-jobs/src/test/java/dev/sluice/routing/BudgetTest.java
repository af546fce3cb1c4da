package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Tests for {@link Budget}. */
class BudgetTest {

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void periodsAreUtcCalendarDaysAndMonthsAcrossAYearEnd() {
        Budget daily = new Budget(Budget.Period.day, 10L, null, null, 0);
        Budget monthly = new Budget(Budget.Period.month, null, 5.0, null, 0);

        assertThat(daily.periodStart(at("2026-12-31T23:59:59Z"))).isEqualTo(at("2026-12-31T00:00:00Z"));
        assertThat(daily.nextPeriodStart(at("2026-12-31T23:59:59Z"))).isEqualTo(at("2027-01-01T00:00:00Z"));
        assertThat(monthly.periodStart(at("2026-12-31T23:59:59Z"))).isEqualTo(at("2026-12-01T00:00:00Z"));
        assertThat(monthly.nextPeriodStart(at("2026-12-01T00:00:00Z"))).isEqualTo(at("2027-01-01T00:00:00Z"));
        assertThat(monthly.nextPeriodStart(at("2027-01-31T12:00:00Z"))).isEqualTo(at("2027-02-01T00:00:00Z"));
    }

    @Test
    void aBudgetIsSpentWhenEitherLimitIsReached() {
        Budget both = new Budget(Budget.Period.day, 100L, 2.0, null, 0);

        assertThat(both.isSpent(99, 1.99)).isFalse();
        assertThat(both.isSpent(100, 0)).isTrue();
        assertThat(both.isSpent(0, 2.0)).isTrue();
        assertThat(both.used(50, 1.5)).isEqualTo(0.75);
        assertThat(both.whenSpent()).isEqualTo(Budget.WhenSpent.hold);
        assertThat(both.maxHeld()).isEqualTo(Budget.DEFAULT_MAX_HELD);
        assertThat(both.describe()).isEqualTo("100 tokens or 2.00 a day");
    }

    @Test
    void aBudgetNeedsAPeriodAndALimitWithinBounds() {
        assertThatThrownBy(() -> new Budget(null, 1L, null, null, 0)).hasMessageContaining("period");
        assertThatThrownBy(() -> new Budget(Budget.Period.day, null, null, null, 0))
                .hasMessageContaining("tokens, cost or both");
        assertThatThrownBy(() -> new Budget(Budget.Period.day, -1L, null, null, 0)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new Budget(Budget.Period.day, null, Double.NaN, null, 0))
                .hasMessageContaining("cost");
        assertThatThrownBy(() -> new Budget(Budget.Period.day, 1L, null, null, 2_000_000))
                .hasMessageContaining("max-held");
    }

    @Test
    void aCatalogPolicyReadsItsBudgetAndRefusesAnUnknownKey() {
        Catalog catalog = Catalog.parse("""
                policies:
                  acme: {commercial: true, budget: {period: month, cost: 250.5, when-spent: reject, max-held: 10}}
                """, "test");
        assertThat(catalog.policy("acme").orElseThrow().budget())
                .isEqualTo(new Budget(Budget.Period.month, null, 250.5, Budget.WhenSpent.reject, 10));
        assertThatThrownBy(() -> Catalog.parse("policies:\n  acme: {budget: {period: week, tokens: 1}}\n", "test"))
                .hasMessageContaining("period");
        assertThatThrownBy(() -> Catalog.parse("policies:\n  acme: {budget: {period: day, token: 1}}\n", "test"))
                .hasMessageContaining("token");
    }
}
