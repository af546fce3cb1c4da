package dev.sluice.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.routing.Catalog;
import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Tests for {@link BudgetTable}. */
class BudgetTableTest {

    private static final Catalog CATALOG = Catalog.parse("""
            policies:
              acme: {commercial: true, budget: {period: day, tokens: 1000}}
              globex: {commercial: true, budget: {period: month, cost: 2.0, when-spent: reject}}
              initech: {commercial: true}
            """, "test");
    private static final long NOW = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();

    @Test
    void eachBudgetedTenantsSpendIsSummedOverItsCurrentPeriodOnly() {
        BudgetTable table = new BudgetTable(CATALOG);
        table.add(row("acme", "2026-12-05T23:59:50Z", 5_000, 0, 0));
        table.add(row("acme", "2026-12-06T08:00:00Z", 300, 100, 0));
        table.add(row("acme", "2026-12-06T09:00:00Z", 500, 200, 0));
        table.add(row("globex", "2026-11-30T10:00:00Z", 0, 0, 9.0));
        table.add(row("globex", "2026-12-01T10:00:00Z", 10, 10, 0.5));
        table.add(row("initech", "2026-12-06T10:00:00Z", 10, 10, 0.5));

        String rendered = table.render(NOW);

        assertThat(rendered).containsPattern("acme +1000 tokens a day +1100 +0\\.0000 +110% +spent until "
                + "2026-12-07T00:00:00Z: batch work held");
        assertThat(rendered).containsPattern("globex +2\\.00 a month +20 +0\\.5000 +25% +within");
        assertThat(rendered).doesNotContain("initech");
    }

    @Test
    void aCatalogWithoutBudgetsShowsNoTable() {
        BudgetTable table = new BudgetTable(Catalog.parse("policies:\n  initech: {commercial: true}\n", "test"));
        table.add(row("initech", "2026-12-06T10:00:00Z", 10, 10, 0.5));
        assertThat(table.render(NOW)).isEmpty();
    }

    private static UsageSummary row(String tenant, String windowStart, long prompt, long completion, double cost) {
        long start = Instant.parse(windowStart).toEpochMilli();
        return UsageSummary.newBuilder().setScope(UsageScope.TENANT).setTenant(tenant).setWindowStart(start)
                .setWindowEnd(start + 10_000).setRequests(1).setOkRequests(1).setPromptTokens(prompt)
                .setCompletionTokens(completion).setCost(cost).build();
    }
}
