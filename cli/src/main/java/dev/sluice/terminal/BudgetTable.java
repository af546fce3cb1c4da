package dev.sluice.terminal;

import dev.sluice.routing.Budget;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.UsageScope;
import dev.sluice.schema.UsageSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each budgeted tenant's spend in its current period, as {@code sluice top --by tenant} shows it under the usage
 * table: summed from the tenant's usage rows (by the UTC day their window starts in, so a month of rows costs 31
 * sums a tenant), against the budgets of the catalog file. The job decides from its own count (the metrics read
 * back, in its checkpointed state), which may be a window ahead of these rows; its exact figures are the
 * {@code budget_used} and {@code held} gauges.
 */
public final class BudgetTable {

    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
    private static final String HEADER = "%-24s %-32s %12s %10s %7s  %s%n";
    private static final String ROW = "%-24s %-32s %12d %10.4f %6.0f%%  %s%n";

    private final Map<String, Budget> budgets = new TreeMap<>();
    /** Tenant → UTC day start → tokens and cost of the windows starting that day. */
    private final Map<String, TreeMap<Long, double[]>> days = new HashMap<>();

    /** For the tenants with a budget in {@code catalog}. */
    public BudgetTable(Catalog catalog) {
        catalog.policies().forEach((tenant, policy) -> {
            if (policy.budget() != null) {
                budgets.put(tenant, policy.budget());
            }
        });
    }

    /** Counts a row of the usage topic: a budgeted tenant's window row; others, and late-data rows, are ignored. */
    public void add(UsageSummary row) {
        if (row.getScope() != UsageScope.TENANT || row.getLateRecords() > 0 || !budgets.containsKey(row.getTenant())) {
            return;
        }
        double[] day = days.computeIfAbsent(row.getTenant(), tenant -> new TreeMap<>())
                .computeIfAbsent(Math.floorDiv(row.getWindowStart(), DAY_MILLIS) * DAY_MILLIS, start -> new double[2]);
        day[0] += row.getPromptTokens() + row.getCompletionTokens();
        day[1] += row.getCost();
    }

    /** The table at {@code now}; empty when no tenant has a budget. */
    public String render(long now) {
        if (budgets.isEmpty()) {
            return "";
        }
        StringBuilder table = new StringBuilder("\n").append(String.format(Locale.ROOT, HEADER, "tenant", "budget",
                "tokens", "cost", "used", "state"));
        budgets.forEach((tenant, budget) -> {
            long tokens = 0;
            double cost = 0;
            for (double[] day : days.getOrDefault(tenant, new TreeMap<>()).tailMap(budget.periodStart(now)).values()) {
                tokens += (long) day[0];
                cost += day[1];
            }
            String state = !budget.isSpent(tokens, cost) ? "within"
                    : "spent until " + Instant.ofEpochMilli(budget.nextPeriodStart(now)) + ": "
                            + (budget.whenSpent() == Budget.WhenSpent.hold ? "batch work held" : "work rejected");
            table.append(String.format(Locale.ROOT, ROW, tenant, budget.describe(), tokens, cost,
                    100 * budget.used(tokens, cost), state));
        });
        return table.toString();
    }
}
