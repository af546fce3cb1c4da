package dev.sluice.routing;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * What a tenant may spend in a calendar day or month (UTC): tokens (prompt and completion together), cost in the
 * catalog's currency (as its deployments' {@code price}s reckon it), or both, whichever is reached first. Once
 * spent, the tenant's batch work is held until the next period or a larger budget ({@link WhenSpent#hold}), or
 * rejected ({@link WhenSpent#reject}); interactive work cannot wait for a new period and is rejected either way.
 *
 * @param period the budget's period, a UTC calendar day or month
 * @param tokens prompt and completion tokens per period; null for no token limit
 * @param cost cost per period; null for no cost limit
 * @param whenSpent hold batch work, or reject it, once the budget is spent
 * @param maxHeld most requests held for the tenant at once; beyond them batch work is rejected too, so a held tenant
 *     cannot grow the job's state without bound (default {@value #DEFAULT_MAX_HELD})
 */
public record Budget(Period period, Long tokens, Double cost, WhenSpent whenSpent, int maxHeld)
        implements Serializable {

    public static final int DEFAULT_MAX_HELD = 100_000;
    /** Each held request is kept in the job's state: a million of them is already hundreds of megabytes. */
    static final int MAX_MAX_HELD = 1_000_000;

    /** A budget's period. */
    public enum Period { day, month }

    /** What happens to batch work once a budget is spent. */
    public enum WhenSpent { hold, reject }

    public Budget {
        if (period == null) {
            throw new IllegalArgumentException("budget: period is day or month");
        }
        if (tokens == null && cost == null) {
            throw new IllegalArgumentException("budget: give tokens, cost or both");
        }
        if (tokens != null && tokens < 0) {
            throw new IllegalArgumentException("budget: tokens must not be negative, got " + tokens);
        }
        if (cost != null && !(cost >= 0 && cost < 1e12)) {
            throw new IllegalArgumentException("budget: cost " + cost + " is not between 0 and 10^12");
        }
        whenSpent = whenSpent == null ? WhenSpent.hold : whenSpent;
        maxHeld = maxHeld == 0 ? DEFAULT_MAX_HELD : maxHeld;
        if (maxHeld < 0 || maxHeld > MAX_MAX_HELD) {
            throw new IllegalArgumentException("budget: max-held must be between 1 and " + MAX_MAX_HELD);
        }
    }

    /** The start (epoch ms) of the period holding {@code epochMillis}. */
    public long periodStart(long epochMillis) {
        LocalDate day = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate start = period == Period.day ? day : day.withDayOfMonth(1);
        return start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** The start (epoch ms) of the period after the one holding {@code epochMillis}. */
    public long nextPeriodStart(long epochMillis) {
        ZonedDateTime start = Instant.ofEpochMilli(periodStart(epochMillis)).atZone(ZoneOffset.UTC);
        return (period == Period.day ? start.plusDays(1) : start.plusMonths(1)).toInstant().toEpochMilli();
    }

    /** Whether {@code spentTokens} and {@code spentCost} within one period have reached this budget. */
    public boolean isSpent(long spentTokens, double spentCost) {
        return (tokens != null && spentTokens >= tokens) || (cost != null && spentCost >= cost);
    }

    /** How much of the budget is used: the larger of the token and cost shares, 1 or more once spent. */
    public double used(long spentTokens, double spentCost) {
        double byTokens = tokens == null ? 0 : tokens == 0 ? 1 : (double) spentTokens / tokens;
        double byCost = cost == null ? 0 : cost == 0 ? 1 : spentCost / cost;
        return Math.max(byTokens, byCost);
    }

    /** The budget in words, as a reject message or a table shows it: {@code 1000000 tokens or 50.00 a month}. */
    public String describe() {
        String limits = tokens == null ? "%.2f".formatted(cost)
                : cost == null ? tokens + " tokens" : tokens + " tokens or %.2f".formatted(cost);
        return limits + (period == Period.day ? " a day" : " a month");
    }
}
